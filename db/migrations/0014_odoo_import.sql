-- Where `aurum odoo import` stands per entity: the write_date watermark the next pass reads from,
-- and, while a pass runs, the last Odoo id it finished (committed with that page's candidates, so
-- an interrupted pass resumes after it). `mode` is 'first' for the bulk first import into an empty
-- store, 'incremental' after it.
CREATE TABLE odoo_import (
    entity        text PRIMARY KEY,
    model         text NOT NULL,
    mode          text NOT NULL CHECK (mode IN ('first', 'incremental')),
    watermark     text,            -- Odoo's write_date ('YYYY-MM-DD HH:MM:SS', UTC) the next pass reads from
    running       boolean NOT NULL DEFAULT false,
    pass_started  text,            -- when the running pass began, in the same form
    pass_max      text,            -- the latest write_date the running pass has read
    last_id       bigint NOT NULL DEFAULT 0,  -- the running pass's last finished Odoo id
    passes        integer NOT NULL DEFAULT 0,
    updated_at    timestamptz NOT NULL DEFAULT now()
);
