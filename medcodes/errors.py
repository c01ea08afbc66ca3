"""One exception root for the program, with Transient and Terminal kinds.

Data problems (a bad page, a missing code) are *values* — quarantine entries —
never exceptions. Exceptions here mean the program or its environment is wrong;
flows turn the kind into a retry decision (transient: retry, terminal: stop).
"""


class MedcodesError(Exception):
    """Root of every exception medcodes raises on purpose."""


class TransientError(MedcodesError):
    """May succeed if tried again (network blip, server overload, lock held briefly)."""


class TerminalError(MedcodesError):
    """Will fail again the same way; retrying is pointless."""


class ConfigError(TerminalError):
    """Settings or command-line arguments that cannot work."""


class SourceError(TerminalError):
    """A SOURCE argument that names nothing usable (missing file, unknown scheme)."""


class PublishRefused(TerminalError):
    """The run's output failed a publish gate; `latest` still points at the previous snapshot."""


class OutputLocked(TransientError):
    """Another run holds the output directory's lock."""
