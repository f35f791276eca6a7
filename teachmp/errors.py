"""The exceptions teachmp raises, named and arranged exactly like the stdlib's.

Every error specific to multiprocessing derives from ``ProcessError`` so that a
program can catch "anything that went wrong between processes" in one clause.
They live in their own tiny module because several modules need them
(``connection`` for ``BufferTooShort`` and ``AuthenticationError``, ``pool``
later for ``TimeoutError``) and none of those should import the others just to
reach an exception class.
"""


class ProcessError(Exception):
    """Base class of every teachmp-specific error."""


class BufferTooShort(ProcessError):
    """``recv_bytes_into`` was given a buffer smaller than the message.

    The whole message is kept in ``args[0]`` so that nothing is lost: the
    caller can still read it as bytes.
    """


class TimeoutError(ProcessError):  # noqa: A001 - the stdlib shadows it too
    """A result did not arrive within the given timeout."""


class AuthenticationError(ProcessError):
    """The peer of a connection failed the HMAC challenge."""


# The stdlib defines these in multiprocessing.context, and that is the name
# a traceback prints; teachmp.context re-exports them, so the same spelling
# is true here too.
for _cls in (ProcessError, BufferTooShort, TimeoutError, AuthenticationError):
    _cls.__module__ = 'teachmp.context'
del _cls
