#!/usr/bin/env python3
"""A three-way merge of gettext catalogs, entry by entry (a git merge driver).

    python tools/po_merge.py BASE OURS THEIRS     # result written to OURS

Two branches that both touch one chapter's catalog nearly always "conflict"
for git, even when they translated different paragraphs: every ``#:``
location line below an inserted paragraph changes its line number.  This
merges the catalogs as what they are, a set of entries keyed by msgid:

* an entry changed on one side only takes that side's translation and flags;
* an entry both sides changed the same way is taken once;
* an entry both sides changed differently is a real conflict: ours is kept,
  theirs goes into a translator comment, the entry is marked fuzzy (so
  ``make docs`` stops until someone picks), and the exit status is 1;
* an entry added on one side is added; an entry one side deleted (its
  English is gone) and the other left alone is deleted.

The header entry is kept as text, not through babel: babel rewrites the
header's fields from its own model (a header it cannot parse comes back
as ``FULL NAME <EMAIL@ADDRESS>`` and ``YEAR-MO-DA``, which ``msgfmt -c``
rejects).  Ours is kept unless only theirs has real values.

Locations and order come from the side that has the entry; run
``tools/build_docs.py --update-po PAGE`` afterwards to renumber them.

Use it as a git merge driver (local configuration, once per clone)::

    git config merge.po.name "gettext catalogs, entry by entry"
    git config merge.po.driver "python3 tools/po_merge.py %O %A %B"

with ``*.po merge=po`` in ``.gitattributes`` (committed).  Needs babel,
which Sphinx installs.
"""

import sys

from babel.messages import pofile


def _read(path):
    try:
        with open(path, 'rb') as f:
            return pofile.read_po(f, abort_invalid=False)
    except FileNotFoundError:
        return None


def _key(message):
    return (message.context, message.id if not isinstance(message.id, tuple)
            else message.id)


def _state(message):
    if message is None:
        return None
    return (message.string, 'fuzzy' in message.flags)


def _header(path):
    """The header entry of the catalog at *path*, as text (comments up to the
    blank line after ``msgid ""``), or None."""
    try:
        with open(path, encoding='utf-8') as f:
            text = f.read()
    except (FileNotFoundError, UnicodeDecodeError):
        return None
    start = text.find('msgid ""\n')
    end = text.find('\n\n', start)
    return text[:end + 1] if start >= 0 and end >= 0 else None


def _pick_header(ours_path, theirs_path):
    ours, theirs = _header(ours_path), _header(theirs_path)
    if ours and 'YEAR-MO-DA' in ours and theirs and 'YEAR-MO-DA' not in theirs:
        return theirs
    return ours or theirs


def _put_header(path, header):
    with open(path, encoding='utf-8') as f:
        text = f.read()
    current = _header(path)
    if header and current:
        with open(path, 'w', encoding='utf-8') as f:
            f.write(header + text[len(current):])


def merge(base_path, ours_path, theirs_path):
    header = _pick_header(ours_path, theirs_path)
    base, ours, theirs = _read(base_path), _read(ours_path), _read(theirs_path)
    if ours is None or theirs is None:
        return 1
    conflicts = 0
    base_msgs = {_key(m): m for m in base} if base is not None else {}
    our_msgs = {_key(m): m for m in ours if m.id}
    their_msgs = {_key(m): m for m in theirs if m.id}
    for key, theirs_m in their_msgs.items():
        ours_m, base_m = our_msgs.get(key), base_msgs.get(key)
        if ours_m is None:
            if base_m is None or _state(base_m) != _state(theirs_m):
                ours.add(theirs_m.id, theirs_m.string, list(theirs_m.locations),
                         flags=theirs_m.flags, auto_comments=theirs_m.auto_comments,
                         user_comments=theirs_m.user_comments, context=theirs_m.context)
            continue                # else: we deleted it and they did not touch it
        if _state(ours_m) == _state(theirs_m) or _state(theirs_m) == _state(base_m):
            continue
        if _state(ours_m) == _state(base_m):
            ours_m.string = theirs_m.string
            ours_m.flags = set(theirs_m.flags)
            ours_m.locations = list(theirs_m.locations)
            continue
        conflicts += 1
        ours_m.user_comments = list(ours_m.user_comments) + [
            'merge conflict, the other translation: %s' % theirs_m.string]
        ours_m.flags.add('fuzzy')
    for key, ours_m in list(our_msgs.items()):
        if key not in their_msgs and key in base_msgs and \
                _state(ours_m) == _state(base_msgs[key]):
            del ours[ours_m.id if ours_m.context is None else (ours_m.id, ours_m.context)]
    ours.obsolete.clear()
    with open(ours_path, 'wb') as f:
        pofile.write_po(f, ours, width=76, include_previous=False)
    _put_header(ours_path, header)
    if conflicts:
        print('po_merge: %d entr%s translated differently on both sides (marked fuzzy): %s'
              % (conflicts, 'y' if conflicts == 1 else 'ies', ours_path), file=sys.stderr)
    return 1 if conflicts else 0


if __name__ == '__main__':
    sys.exit(merge(*sys.argv[1:4]))
