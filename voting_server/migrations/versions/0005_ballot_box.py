"""the encrypted ballot box of secret rounds: encrypted ballots, the round's key set and sealed key,
the decryption proofs on the result; receipts become ballot hashes

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 19:00:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('box_ballots',
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('wire', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], ),
    sa.PrimaryKeyConstraint('hash')
    )
    op.create_index(op.f('ix_box_ballots_round_id'), 'box_ballots', ['round_id'], unique=False)
    with op.batch_alter_table('rounds') as batch:
        batch.add_column(sa.Column('box_mode', sa.String(length=20), nullable=True))
        batch.add_column(sa.Column('box_context', sa.String(length=256), nullable=True))
        batch.add_column(sa.Column('box_keys', sa.JSON(none_as_null=True), nullable=True))
        batch.add_column(sa.Column('box_sealed', sa.Text(), nullable=True))
    with op.batch_alter_table('results') as batch:
        batch.add_column(sa.Column('box', sa.JSON(none_as_null=True), nullable=True))
    with op.batch_alter_table('participations') as batch:
        batch.alter_column('receipt', existing_type=sa.String(length=16), type_=sa.String(length=64),
                           existing_nullable=False)


def downgrade() -> None:
    with op.batch_alter_table('participations') as batch:
        batch.alter_column('receipt', existing_type=sa.String(length=64), type_=sa.String(length=16),
                           existing_nullable=False)
    with op.batch_alter_table('results') as batch:
        batch.drop_column('box')
    with op.batch_alter_table('rounds') as batch:
        for name in ('box_sealed', 'box_keys', 'box_context', 'box_mode'):
            batch.drop_column(name)
    op.drop_index(op.f('ix_box_ballots_round_id'), table_name='box_ballots')
    op.drop_table('box_ballots')
