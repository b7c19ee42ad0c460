#!/usr/bin/env python3
"""A Python host of liboligoscreen through ctypes (standard library only).

    python3 host.py [--library PATH] CASE.json...

Screens each JSON case and prints "<file>: state=<code> sbrt=<verdict> oligorare=<verdict>",
or "<file>: error <kind>" when the case cannot be read. The library is PATH, else
$OLIGOSCREEN_LIBRARY, else whatever ctypes finds as "oligoscreen".
"""
import ctypes
import ctypes.util
import json
import os
import sys

OK, E_INPUT = 0, -3
ABI_VERSION = 0  # the ABI this host was written against (OLIGOSCREEN_ABI_VERSION)


def load(path):
    path = path or os.environ.get("OLIGOSCREEN_LIBRARY") or ctypes.util.find_library("oligoscreen")
    if not path:
        sys.exit("python-host: liboligoscreen not found (use --library or OLIGOSCREEN_LIBRARY)")
    lib = ctypes.CDLL(path)
    lib.oligoscreen_version.restype = ctypes.c_char_p
    lib.oligoscreen_version.argtypes = []
    lib.oligoscreen_abi_version.restype = ctypes.c_int
    lib.oligoscreen_abi_version.argtypes = []
    lib.oligoscreen_rules_default.restype = ctypes.c_int
    lib.oligoscreen_rules_default.argtypes = [ctypes.POINTER(ctypes.c_void_p), ctypes.POINTER(ctypes.c_void_p)]
    lib.oligoscreen_assess.restype = ctypes.c_int
    # Strings the library returns are read through c_void_p, so that they can be freed.
    lib.oligoscreen_assess.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t,
                                       ctypes.POINTER(ctypes.c_void_p)]
    lib.oligoscreen_rules_free.restype = None
    lib.oligoscreen_rules_free.argtypes = [ctypes.c_void_p]
    lib.oligoscreen_string_free.restype = None
    lib.oligoscreen_string_free.argtypes = [ctypes.c_void_p]
    return lib


def take_string(lib, pointer):
    """The UTF-8 text at `pointer` (owned by the caller), freed through the library."""
    if not pointer.value:
        return None
    try:
        return ctypes.string_at(pointer.value).decode("utf-8")
    finally:
        lib.oligoscreen_string_free(pointer)


def main(argv):
    library = None
    if len(argv) > 2 and argv[1] == "--library":
        library, argv = argv[2], argv[2:]
    lib = load(library)
    if lib.oligoscreen_abi_version() != ABI_VERSION:
        sys.exit("python-host: library ABI %d, expected %d" % (lib.oligoscreen_abi_version(), ABI_VERSION))
    rules, error = ctypes.c_void_p(), ctypes.c_void_p()
    if lib.oligoscreen_rules_default(ctypes.byref(rules), ctypes.byref(error)) != OK:
        sys.exit("python-host: no rule set:\n%s" % take_string(lib, error))
    status = 0
    try:
        for path in argv[1:]:
            with open(path, "rb") as f:
                data = f.read()
            name = os.path.basename(path)
            out = ctypes.c_void_p()
            rc = lib.oligoscreen_assess(rules, data, len(data), ctypes.byref(out))
            text = take_string(lib, out)
            if rc == OK:
                r = json.loads(text)
                print("%s: state=%s sbrt=%s oligorare=%s" % (
                    name, r["state"], r["sbrt"]["verdict"], r["trials"]["oligorare"]["verdict"]))
            elif rc == E_INPUT:
                print("%s: error %s" % (name, json.loads(text)["error"]["kind"]))
                status = status or 1
            else:
                print("python-host: %s: status %d" % (name, rc), file=sys.stderr)
                status = 5
    finally:
        lib.oligoscreen_rules_free(rules)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv))
