"""Re-encrypt every encrypted column under the primary (first) key of FIELD_ENCRYPTION_KEYS.

Deploy the new key first in FIELD_ENCRYPTION_KEYS as [new, old], run this command, then drop
the old key. It walks each table in primary-key order, in batches that each commit on their
own, so it can be stopped and re-run at any time: values already under the primary key are
skipped with a cheap check.
"""

from collections import Counter

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from tqdm import tqdm

from hotelcrm.crypto import EncryptedTextField, rotate_token, token_uses_primary_key


def encrypted_columns():
    """[(model, [field, ...])] for every model with encrypted fields, found by field type: tenant
    data and the staff's own secrets (two-factor devices) alike."""
    found = []
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        fields = [f for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
        if fields:
            found.append((model, fields))
    return sorted(found, key=lambda item: item[0]._meta.label)


class Command(BaseCommand):
    help = "Re-encrypt encrypted columns under the first key of FIELD_ENCRYPTION_KEYS, in resumable batches."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=1000, help="Rows per transaction (default 1000).")
        parser.add_argument("--dry-run", action="store_true", help="Only count the values that need re-encryption.")
        parser.add_argument("--no-progress", action="store_true", help="No progress bar.")

    def handle(self, *args, batch_size, dry_run, no_progress, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        checked, rotated, skipped = Counter(), Counter(), Counter()
        for model, fields in encrypted_columns():
            label = model._meta.label
            table = connection.ops.quote_name(model._meta.db_table)
            pk = connection.ops.quote_name(model._meta.pk.column)
            columns = [connection.ops.quote_name(f.column) for f in fields]
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT count(*) FROM {table}")
                total = cursor.fetchone()[0]
            # The bar writes to the command's own stderr stream (tqdm needs the raw stream, not the wrapper).
            bar = tqdm(total=total, desc=label, unit="row", file=self.stderr._out, disable=no_progress, leave=True)
            last_pk = None
            while True:
                batch = self._batch(table, pk, columns, last_pk, batch_size, dry_run)
                if not batch:
                    break
                last_pk = batch[-1][0]
                if dry_run:
                    for _pk, *tokens in batch:
                        checked[label] += 1
                        if any(t and not token_uses_primary_key(t) for t in tokens):
                            rotated[label] += 1
                else:
                    done, lost = self._rotate(table, pk, columns, batch)
                    checked[label] += len(batch)
                    rotated[label] += done
                    skipped[label] += lost
                bar.update(len(batch))
            bar.close()
        verb = "would re-encrypt" if dry_run else "re-encrypted"
        for model, _fields in encrypted_columns():
            label = model._meta.label
            line = f"{label}: {checked[label]} rows checked, {rotated[label]} {verb}"
            if skipped[label]:
                line += f", {skipped[label]} changed meanwhile (already written under the new key)"
            self.stdout.write(line)
        self.stdout.write(
            self.style.SUCCESS(f"Total: {sum(checked.values())} rows checked, {sum(rotated.values())} {verb}.")
        )

    def _batch(self, table, pk, columns, last_pk, batch_size, dry_run):
        # Raw SQL: the tokens are read and written as ciphertext, never decrypted into model objects.
        after = "" if last_pk is None else f"WHERE {pk} > %s"
        params = [] if last_pk is None else [last_pk]
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {pk}, {', '.join(columns)} FROM {table} {after} ORDER BY {pk} LIMIT %s", [*params, batch_size]
            )
            return cursor.fetchall()

    def _rotate(self, table, pk, columns, batch):
        """Rewrite one batch in one transaction; returns (rows re-encrypted, rows changed by someone else)."""
        done = lost = 0
        with transaction.atomic(), connection.cursor() as cursor:
            for row_pk, *tokens in batch:
                changes = [
                    (column, token, rotate_token(token))
                    for column, token in zip(columns, tokens)
                    if token and not token_uses_primary_key(token)
                ]
                if not changes:
                    continue
                # Compare-and-set on the old ciphertext: if an edit wrote the row since we read it,
                # its value (already under the new key) wins and we leave it alone. No lock held.
                assignments = ", ".join(f"{column} = %s" for column, _old, _new in changes)
                conditions = " AND ".join(f"{column} = %s" for column, _old, _new in changes)
                cursor.execute(
                    f"UPDATE {table} SET {assignments} WHERE {pk} = %s AND {conditions}",
                    [*(new for _c, _o, new in changes), row_pk, *(old for _c, old, _n in changes)],
                )
                if cursor.rowcount:
                    done += 1
                else:
                    lost += 1
        return done, lost
