"""macOS's login-session dictionary, read through CoreGraphics with ctypes (no extra package).

macOS posts no notification that Qt passes on when the screen locks or another user is switched
to, but the window server keeps a dictionary per login session that says both:
`CGSessionCopyCurrentDictionary()` returns it (or NULL outside a GUI session), with
`CGSSessionScreenIsLocked` (a boolean, present while the screen is locked) and
`kCGSSessionOnConsoleKey` (false once another user's session has the console). `lock.py`
polls `read_session()` and decides with `session_lock_reason`; this module is only the glue.

The C signatures (CoreFoundation / CoreGraphics headers):
    CFDictionaryRef CGSessionCopyCurrentDictionary(void);        caller releases (Copy rule)
    CFStringRef CFStringCreateWithCString(CFAllocatorRef, const char *, CFStringEncoding);
    const void *CFDictionaryGetValue(CFDictionaryRef, const void *key);   not owned (Get rule)
    CFTypeID CFGetTypeID(CFTypeRef);  CFTypeID CFBooleanGetTypeID(void);
    Boolean CFBooleanGetValue(CFBooleanRef);                     Boolean is unsigned char
    CFTypeID CFNumberGetTypeID(void);
    Boolean CFNumberGetValue(CFNumberRef, CFNumberType, void *valuePtr);
    void CFRelease(CFTypeRef);"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys
from typing import Any

SCREEN_LOCKED_KEY = "CGSSessionScreenIsLocked"
ON_CONSOLE_KEY = "kCGSSessionOnConsoleKey"
KEYS = (SCREEN_LOCKED_KEY, ON_CONSOLE_KEY)

_CORE_FOUNDATION = "/System/Library/Frameworks/CoreFoundation.framework/CoreFoundation"
_CORE_GRAPHICS = "/System/Library/Frameworks/CoreGraphics.framework/CoreGraphics"
_UTF8 = 0x08000100  # kCFStringEncodingUTF8
_SINT64 = 4  # kCFNumberSInt64Type


class _Glue:
    """The loaded frameworks, their signatures declared once, and the two keys as CFStrings
    (made once and kept for the life of the process: a few bytes)."""

    def __init__(self) -> None:
        cf = _load(_CORE_FOUNDATION, "CoreFoundation")
        cg = _load(_CORE_GRAPHICS, "CoreGraphics")
        void_p, boolean = ctypes.c_void_p, ctypes.c_ubyte
        _declare(cg.CGSessionCopyCurrentDictionary, void_p, [])
        _declare(cf.CFStringCreateWithCString, void_p, [void_p, ctypes.c_char_p, ctypes.c_uint32])
        _declare(cf.CFDictionaryGetValue, void_p, [void_p, void_p])
        _declare(cf.CFGetTypeID, ctypes.c_ulong, [void_p])
        _declare(cf.CFBooleanGetTypeID, ctypes.c_ulong, [])
        _declare(cf.CFBooleanGetValue, boolean, [void_p])
        _declare(cf.CFNumberGetTypeID, ctypes.c_ulong, [])
        _declare(cf.CFNumberGetValue, boolean, [void_p, ctypes.c_long, void_p])
        _declare(cf.CFRelease, None, [void_p])
        self.cf, self.cg = cf, cg
        self.boolean_type = int(cf.CFBooleanGetTypeID())
        self.number_type = int(cf.CFNumberGetTypeID())
        self.keys: dict[str, int] = {}
        for name in KEYS:
            key = cf.CFStringCreateWithCString(None, name.encode("ascii"), _UTF8)
            if not key:
                raise OSError(f"CoreFoundation could not make the key {name}")
            self.keys[name] = key

    def read(self) -> dict[str, bool] | None:
        session = self.cg.CGSessionCopyCurrentDictionary()
        if not session:
            return None
        try:
            out: dict[str, bool] = {}
            for name, key in self.keys.items():
                value = self.cf.CFDictionaryGetValue(session, key)
                if value:
                    flag = self._flag(value)
                    if flag is not None:
                        out[name] = flag
            return out
        finally:
            self.cf.CFRelease(session)

    def _flag(self, value: int) -> bool | None:
        kind = int(self.cf.CFGetTypeID(value))
        if kind == self.boolean_type:
            return bool(self.cf.CFBooleanGetValue(value))
        if kind == self.number_type:  # some releases store 1/0 as a number
            number = ctypes.c_int64(0)
            if self.cf.CFNumberGetValue(value, _SINT64, ctypes.byref(number)):
                return number.value != 0
        return None


def _load(path: str, name: str) -> Any:
    try:
        return ctypes.CDLL(path)
    except OSError:
        found = ctypes.util.find_library(name)
        if not found:
            raise
        return ctypes.CDLL(found)


def _declare(function: Any, restype: Any, argtypes: list[Any]) -> None:
    function.restype = restype
    function.argtypes = argtypes


_glue: _Glue | None = None


def read_session() -> dict[str, bool] | None:
    """The two flags of this login session (only those present), or None where they cannot be
    read: not macOS, no window server session, or the frameworks failed to load."""
    global _glue
    if sys.platform != "darwin":
        return None
    try:
        if _glue is None:
            _glue = _Glue()
        return _glue.read()
    except (OSError, AttributeError):
        return None
