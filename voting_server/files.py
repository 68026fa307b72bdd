"""Files the server writes for itself: readable by its own user only. Every file in the instance folder
(the database and its log, keys, uploaded documents, settings) and every export is created mode 0600, every
folder of its own 0700, whatever the process's umask; a file or folder found more open is narrowed."""
from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path

FILE_MODE = 0o600
FOLDER_MODE = 0o700

__all__ = ["FILE_MODE", "FOLDER_MODE", "narrow", "private_folder", "private_tree", "write_private"]


def private_folder(path: str | os.PathLike[str]) -> Path:
    """The folder, made if missing (with its parents), mode 0700."""
    folder = Path(path)
    folder.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
    narrow(folder, FOLDER_MODE)
    return folder


def private_tree(path: str | os.PathLike[str]) -> int:
    """The folder made private (``private_folder``), and every file and folder in it narrowed to 0600 and
    0700 (what an older version, a copy or a restore left more open); symbolic links are not followed.
    Returns how many were narrowed."""
    root = private_folder(path)
    narrowed = 0
    for folder, dirs, names in os.walk(root):
        for name in dirs:
            narrowed += _narrow_entry(os.path.join(folder, name), FOLDER_MODE)
        for name in names:
            narrowed += _narrow_entry(os.path.join(folder, name), FILE_MODE)
    return narrowed


def _narrow_entry(path: str, mode: int) -> bool:
    with contextlib.suppress(OSError):
        if not stat.S_ISLNK(os.lstat(path).st_mode):
            return narrow(path, mode)
    return False


def write_private(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to a file of mode 0600 (created so, or narrowed before anything is written)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    with os.fdopen(fd, "wb") as fh:
        os.fchmod(fh.fileno(), FILE_MODE)  # a file that existed keeps its mode through os.open
        fh.write(data)
    return Path(path)


def narrow(path: str | os.PathLike[str], mode: int = FILE_MODE) -> bool:
    """Take away what ``mode`` does not grant (group and others) from an existing file or folder; True if
    its mode changed. A missing file, or one this process may not change (another owner, ``chattr +i``),
    is left as it is."""
    with contextlib.suppress(OSError):
        current = stat.S_IMODE(os.stat(path).st_mode)
        if current & ~mode:
            os.chmod(path, current & mode)
            return True
    return False
