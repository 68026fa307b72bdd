"""who holds a secret round's key and who encrypts its ballots, per body (rules) and per ballot; the
监票人 key set of a sitting and the partial decryptions a round has received

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 08:40:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('sittings') as batch:
        batch.add_column(sa.Column('box_keys', sa.JSON(none_as_null=True), nullable=True))
        batch.add_column(sa.Column('box_holders', sa.JSON(none_as_null=True), nullable=True))
    with op.batch_alter_table('ballots') as batch:
        batch.add_column(sa.Column('box_keys', sa.String(length=20), nullable=True))
        batch.add_column(sa.Column('box_encrypt', sa.String(length=20), nullable=True))
    with op.batch_alter_table('rounds') as batch:
        batch.add_column(sa.Column('box_encrypt', sa.String(length=20), nullable=True))
        batch.add_column(sa.Column('box_partials', sa.JSON(none_as_null=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('rounds') as batch:
        batch.drop_column('box_partials')
        batch.drop_column('box_encrypt')
    with op.batch_alter_table('ballots') as batch:
        batch.drop_column('box_encrypt')
        batch.drop_column('box_keys')
    with op.batch_alter_table('sittings') as batch:
        batch.drop_column('box_holders')
        batch.drop_column('box_keys')
