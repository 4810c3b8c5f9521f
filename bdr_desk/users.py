"""People who use the workspace. A user's role (bdr, marketing, manager) decides which page opens first."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from bdr_desk.config import ROLES, Profile
from bdr_desk.db import Base, utcnow

ROLE_LABELS = {"bdr": "BDR", "marketing": "Marketing", "manager": "Manager"}


class User(Base):
    __tablename__ = "users"
    __table_args__ = (CheckConstraint("role IN ('bdr', 'marketing', 'manager')", name="role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(320), unique=True)
    role: Mapped[str] = mapped_column(String(16), default="bdr")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


def ensure_user(session: Session, profile: Profile) -> User:
    """The workspace user for the local profile, created on first use (email is the natural key)."""
    assert profile.role in ROLES
    email = profile.email.strip().lower()
    user = session.scalar(select(User).where(User.email == email))
    if user is None:
        user = User(name=profile.name.strip(), email=email, role=profile.role)
        session.add(user)
        session.flush()
    elif (user.name, user.role) != (profile.name.strip(), profile.role):
        user.name, user.role = profile.name.strip(), profile.role
    return user


class UserError(ValueError):
    pass


def update_user(session: Session, user_id: int, profile: Profile) -> User:
    """Rename the local user, change their role or email; the records they own stay theirs."""
    user = session.get(User, user_id)
    if user is None:
        raise UserError(f"user {user_id} does not exist")
    email = profile.email.strip().lower()
    other = session.scalar(select(User).where(User.email == email, User.id != user_id))
    if other is not None:
        raise UserError(f"{email} already belongs to {other.name} in this workspace")
    user.name, user.email, user.role = profile.name.strip(), email, profile.role
    session.flush()
    return user
