"""Draw each scaling series: docs/img/bench/NAME.svg and NAME.ja.svg.

One figure per series: the median of each implementation at each x, with a
band from the smallest to the largest sample; payload series get a second
panel with the receiver's peak RSS.  Log axes where the values span decades.

SVG settings chosen for the docs: ``svg.fonttype: none`` keeps the text as
text (small files, selectable, and the browser renders the Japanese labels
with its own fonts, so no Japanese font is needed here); a fixed hash salt
and no date keep a re-drawn figure byte-identical when the data is.
"""

import os

from benchmarks.scale_report import median, values

STYLE = {
    'teachmp': dict(color='#1f77b4', marker='o', label=('teachmp', 'teachmp')),
    'stdlib': dict(color='#d62728', marker='s',
                   label=('stdlib multiprocessing', '標準ライブラリの multiprocessing')),
    'floor': dict(color='#7f7f7f', marker='^', linestyle='--',
                  label=('OS floor (bare system calls)', '下限値（システムコールだけ）')),
}
RSS_LABEL = ('receiver peak RSS (MiB)', '受信側のピーク RSS（MiB）')
TARGET_NOTE = ("target: teachmp cost ≤ {:.1f}× the stdlib's",
               '目標: teachmp のコストが標準ライブラリの {:.1f} 倍以下')


def _pyplot():
    import warnings
    import matplotlib
    # Laid out with DejaVu's metrics, drawn by the browser: no CJK font here
    # is expected, so its "Glyph missing" warnings are noise.
    warnings.filterwarnings('ignore', message='Glyph .* missing from font')
    matplotlib.use('Agg')
    matplotlib.rcParams.update({
        'svg.fonttype': 'none',
        'svg.hashsalt': 'teachmp-bench',
        'font.family': 'sans-serif',
        'font.size': 10,
    })
    import matplotlib.pyplot as plt
    return plt


def _spans_decades(vals):
    vals = [v for v in vals if v and v > 0]
    return bool(vals) and max(vals) / min(vals) >= 10


def _draw(ax, series, entry, key, lang):
    xs = entry['xs']
    everything = []
    for impl in entry['impls']:
        pts = [(x, values(entry, impl, x, key)) for x in xs]
        pts = [(x, v) for x, v in pts if v]
        if not pts:
            continue
        style = dict(STYLE[impl])
        label = style.pop('label')[lang]
        px = [x for x, _ in pts]
        med = [median(v) for _, v in pts]
        ax.plot(px, med, label=label, linewidth=1.6, markersize=5, **style)
        ax.fill_between(px, [min(v) for _, v in pts], [max(v) for _, v in pts],
                        color=style['color'], alpha=0.15, linewidth=0)
        everything += med
    if series.log_x:
        ax.set_xscale('log', base=2 if series.x_kind == 'bytes' else 10)
    if key != 'value':
        # Peak RSS: 0 for small messages, hundreds of MiB for big ones --
        # linear below 1 MiB (a log axis has no 0), logarithmic above.
        ax.set_yscale('symlog', linthresh=1.0)
        ax.set_ylim(bottom=0)
    elif _spans_decades(everything):
        ax.set_yscale('log')
    ax.set_xticks(xs)
    ax.set_xticklabels([series.fmt_x(x) for x in xs])
    ax.minorticks_off() if series.log_x else None
    ax.grid(True, which='major', alpha=0.3)


def plot_series(series, entry, path, lang):
    plt = _pyplot()
    panels = 2 if series.rss else 1
    fig, axes = plt.subplots(1, panels, figsize=(6.4 * panels * 0.8 + 1.2, 3.8),
                             squeeze=False)
    ax = axes[0][0]
    _draw(ax, series, entry, 'value', lang)
    ax.set_xlabel(series.x_label[lang])
    ax.set_ylabel(series.y_label[lang])
    if series.target is not None:
        ax.text(0.01, 0.01, TARGET_NOTE[lang].format(series.target),
                transform=ax.transAxes, fontsize=8, color='#555555',
                va='bottom', ha='left')
    ax.legend(fontsize=8, loc='best')
    if series.rss:
        rss = axes[0][1]
        _draw(rss, series, entry, 'rss_recv', lang)
        rss.set_xlabel(series.x_label[lang])
        rss.set_ylabel(RSS_LABEL[lang])
    fig.suptitle(series.title[lang].replace('`', ''), fontsize=11)
    fig.tight_layout()
    fig.savefig(path, format='svg', metadata={'Date': None})
    plt.close(fig)


def plot_all(doc, img_dir):
    """Both languages of every series in doc; returns the paths written."""
    from benchmarks.scaling import SERIES
    os.makedirs(img_dir, exist_ok=True)
    written = []
    for name, entry in doc['series'].items():
        if name not in SERIES:
            continue
        for lang, suffix in ((0, '.svg'), (1, '.ja.svg')):
            path = os.path.join(img_dir, name + suffix)
            plot_series(SERIES[name], entry, path, lang)
            written.append(path)
    return written
