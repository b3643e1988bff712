"""A minimal writer of the kernel's initramfs format (cpio "newc"), so that building the image
needs neither root (for /dev/console) nor the cpio tool. See the kernel's
Documentation/driver-api/early-userspace/buffer-format.rst for the format."""
import os
import stat


class Archive:
    def __init__(self):
        self.entries = {}  # path in the image -> (mode, data, rdev)

    def dir(self, path, mode=0o755):
        parts = path.strip("/").split("/")
        for i in range(1, len(parts) + 1):
            self.entries.setdefault("/".join(parts[:i]), (stat.S_IFDIR | mode, b"", 0))

    def _parent(self, path):
        parent = os.path.dirname(path.strip("/"))
        if parent:
            self.dir(parent)

    def file(self, path, data, mode=0o755):
        self._parent(path)
        self.entries[path.strip("/")] = (stat.S_IFREG | mode, data, 0)

    def copy(self, path, src, mode=None):
        """The content of src (symlinks followed) at path."""
        with open(src, "rb") as f:
            data = f.read()
        self.file(path, data, stat.S_IMODE(os.stat(src).st_mode) if mode is None else mode)

    def symlink(self, path, target):
        self._parent(path)
        self.entries[path.strip("/")] = (stat.S_IFLNK | 0o777, target.encode(), 0)

    def chardev(self, path, major, minor, mode=0o600):
        self._parent(path)
        self.entries[path.strip("/")] = (stat.S_IFCHR | mode, b"", os.makedev(major, minor))

    def size(self):
        return sum(len(d) for _, d, _ in self.entries.values())

    def bytes(self):
        out = bytearray()

        def pad():
            out.extend(b"\0" * (-len(out) % 4))

        def entry(ino, name, mode, data, rdev):
            nb = name.encode() + b"\0"
            fields = (ino, mode, 0, 0, 1, 0, len(data), 0, 0, os.major(rdev), os.minor(rdev), len(nb), 0)
            out.extend(b"070701" + b"".join(b"%08X" % v for v in fields))
            out.extend(nb)
            pad()
            out.extend(data)
            pad()

        # Sorted, so that every directory comes before what it holds.
        for ino, name in enumerate(sorted(self.entries), 1):
            mode, data, rdev = self.entries[name]
            entry(ino, name, mode, data, rdev)
        entry(0, "TRAILER!!!", 0, b"", 0)
        return bytes(out)
