"""Uploaded files stored whole or not at all.

Django's FileSystemStorage writes straight into the final name, so a full
disk or a killed process halfway leaves a truncated file that a row may later
point to. Here the file is written and flushed to disk under a temporary name
in the same folder, then linked to its final name in one step; the temporary
file is removed whatever happens.
"""

import os
import tempfile

from django.core.files.storage import FileSystemStorage


class AtomicFileSystemStorage(FileSystemStorage):
    def _save(self, name, content):
        directory = os.path.dirname(self.path(name))
        os.makedirs(directory, exist_ok=True)
        descriptor, partial = tempfile.mkstemp(dir=directory, prefix=".partial-")
        try:
            with os.fdopen(descriptor, "wb") as out:
                for chunk in content.chunks():
                    out.write(chunk if isinstance(chunk, bytes) else chunk.encode())
                out.flush()
                os.fsync(out.fileno())
            while True:
                try:
                    # link() never overwrites: a name taken meanwhile gets another.
                    os.link(partial, self.path(name))
                    break
                except FileExistsError:
                    name = self.get_available_name(name)
        finally:
            os.unlink(partial)
        if self.file_permissions_mode is not None:
            os.chmod(self.path(name), self.file_permissions_mode)
        return os.path.relpath(self.path(name), self.location).replace("\\", "/")
