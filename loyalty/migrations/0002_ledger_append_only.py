from django.db import migrations

# The points ledger is append-only at the database level, whatever code or console touches it.
# Allowed UPDATEs: `remaining` (how much of a lot is unspent, moved by FIFO consumption and
# refunds) and `membership_id` (two guests' memberships folded into one on a profile merge);
# every other column is frozen. DELETE is allowed only once the entry's membership row is gone,
# i.e. when a whole tenant's rows are purged (the demo reset deletes memberships before their
# entries: tenant_models() lists Membership first); a single entry can never be deleted.
FORBID = """
CREATE OR REPLACE FUNCTION loyalty_ledgerentry_guard() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF EXISTS (SELECT 1 FROM loyalty_membership WHERE id = OLD.membership_id) THEN
            RAISE EXCEPTION 'ledger entries are append-only: DELETE is not allowed on loyalty_ledgerentry'
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        RETURN OLD;
    END IF;
    IF NEW.id IS DISTINCT FROM OLD.id
       OR NEW.organization_id IS DISTINCT FROM OLD.organization_id
       OR NEW.hotel_id IS DISTINCT FROM OLD.hotel_id
       OR NEW.kind IS DISTINCT FROM OLD.kind
       OR NEW.points IS DISTINCT FROM OLD.points
       OR NEW.expires_on IS DISTINCT FROM OLD.expires_on
       OR NEW.source_type IS DISTINCT FROM OLD.source_type
       OR NEW.source_id IS DISTINCT FROM OLD.source_id
       OR NEW.idempotency_key IS DISTINCT FROM OLD.idempotency_key
       OR NEW.qualifying_nights IS DISTINCT FROM OLD.qualifying_nights
       OR NEW.qualifying_stays IS DISTINCT FROM OLD.qualifying_stays
       OR NEW.qualifying_spend IS DISTINCT FROM OLD.qualifying_spend
       OR NEW.reason IS DISTINCT FROM OLD.reason
       OR NEW.details IS DISTINCT FROM OLD.details
       OR NEW.actor_id IS DISTINCT FROM OLD.actor_id
       OR NEW.created_at IS DISTINCT FROM OLD.created_at THEN
        RAISE EXCEPTION 'ledger entries are append-only: only remaining and membership_id may change'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER loyalty_ledgerentry_append_only
    BEFORE UPDATE OR DELETE ON loyalty_ledgerentry
    FOR EACH ROW EXECUTE FUNCTION loyalty_ledgerentry_guard();
"""

ALLOW = """
DROP TRIGGER IF EXISTS loyalty_ledgerentry_append_only ON loyalty_ledgerentry;
DROP FUNCTION IF EXISTS loyalty_ledgerentry_guard();
"""


class Migration(migrations.Migration):
    dependencies = [("loyalty", "0001_initial")]

    operations = [migrations.RunSQL(FORBID, ALLOW)]
