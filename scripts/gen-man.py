#!/usr/bin/env python3
"""Man pages from the --help texts: vigil(8), vigil-COMMAND(8) per command and tool, vigil.yaml(5).

Every synopsis, description, option and example is read from `vigil ... --help`, which argp
renders from the same option tables the parser uses, so the pages cannot drift from the
binary. Only the few sections --help has no place for (signals, files) are written here.

  scripts/gen-man.py build/vigil OUTDIR
"""
import os
import re
import subprocess
import sys

ENV = dict(os.environ, ARGP_HELP_FMT="rmargin=4000", COLUMNS="4000", LC_ALL="C")


def run(vigil, *args):
    r = subprocess.run([vigil, *args], capture_output=True, text=True, env=ENV)
    return r.stdout


def esc(text):
    text = text.replace("\\", "\\e").replace("-", "\\-")
    return "\n".join(("\\&" + ln) if ln.startswith((".", "'")) else ln for ln in text.split("\n"))


def listing(vigil):
    """(commands, tools): [(name, summary)] from `vigil --help`."""
    commands, tools, cur = [], [], None
    for ln in run(vigil, "--help").splitlines():
        if ln.startswith("Commands:"):
            cur = commands
        elif ln.startswith("Tools"):
            cur = tools
        elif cur is not None and ln.startswith("  ") and ln.strip():
            name, _, summary = ln.strip().partition(" ")
            cur.append((name, summary.strip()))
        elif not ln.strip():
            cur = None if cur is not None and cur else cur
    return commands, tools


OPT = re.compile(r"^ {2,6}(-.*?)(?: {2,}(.*))?$")


def parse_help(text):
    """argp's --help: usage lines, description, option groups, the text after the options."""
    lines = text.splitlines()
    usage, desc, groups, post = [], [], [], []
    i = 0
    while i < len(lines) and (lines[i].startswith("Usage:") or lines[i].startswith("  or:")):
        usage.append(re.sub(r"^(Usage:|  or:)\s*", "", lines[i]))
        i += 1
    while i < len(lines) and lines[i].strip() and not OPT.match(lines[i]):
        desc.append(lines[i].strip())
        i += 1
    group = ["", []]
    groups.append(group)
    in_opts = True
    for ln in lines[i:]:
        if in_opts:
            m = OPT.match(ln)
            if m:
                if m.group(1).startswith(("-?, --help", "--usage", "-V, --version", "-?")) or \
                        "--usage" in m.group(1):
                    continue
                group[1].append([m.group(1).strip(), (m.group(2) or "").strip()])
                continue
            if ln.startswith(" ") and not ln.startswith("  ") and ln.rstrip().endswith(":"):
                group = [ln.strip()[:-1], []]
                groups.append(group)
                continue
            if not ln.strip():
                continue
            if ln.startswith(" " * 8) and group[1]:  # a continued description
                group[1][-1][1] += " " + ln.strip()
                continue
            if ln.startswith("  ") and not groups[0][1] and len(groups) == 1:
                desc.append(ln.rstrip())  # e.g. the actions of `vigil policy`
                continue
            in_opts = False
        if ln.startswith("Mandatory or optional arguments") or ln.startswith("for any corresponding"):
            continue
        if ln.startswith("Report bugs"):
            continue
        post.append(ln.rstrip())
    return usage, desc, [g for g in groups if g[1]], post


def options_roff(groups):
    out = []
    for title, opts in groups:
        if title:
            out.append(f".SS {esc(title)}")
        for flag, doc in opts:
            out.append(".TP")
            out.append(f"\\fB{esc(flag)}\\fR")
            out.append(esc(doc) if doc else "")
    return out


def post_roff(post):
    out, examples, para = [], False, []
    for ln in post + [""]:
        if ln.strip() == "Examples:":
            examples = True
            out.append(".SH EXAMPLES")
            continue
        if examples:
            if ln.strip():
                out += [".nf", esc(ln.strip()), ".fi"]
            continue
        if ln.strip():
            para.append(ln.strip())
        elif para:
            out += [".PP", esc(" ".join(para))]
            para = []
    return out


def page(name, section, summary, body):
    head = [f'.TH {esc(name.upper())} {section} "" "vigil" "vigil manual"',
            ".SH NAME", f"{esc(name)} \\- {esc(summary)}"]
    return "\n".join(head + body) + "\n"


def command_page(vigil, name, summary):
    usage, desc, groups, post = parse_help(run(vigil, name, "--help"))
    body = [".SH SYNOPSIS"]
    for u in usage:
        body += [".nf", f"\\fB{esc(u)}\\fR", ".fi"]
    body += [".SH DESCRIPTION"]
    lines = [d for d in desc]
    prose = [d for d in lines if not d.startswith("  ")]
    actions = [d.strip() for d in lines if d.startswith("  ")]
    if prose:
        body += [".PP", esc(" ".join(prose))]
    for a in actions:
        act, _, doc = a.partition(" ")
        body += [".TP", f"\\fB{esc(act)}\\fR", esc(doc.strip())]
    if groups:
        body += [".SH OPTIONS"] + options_roff(groups)
        body += [".TP", "\\fB\\-h\\fR, \\fB\\-?\\fR, \\fB\\-\\-help\\fR", "Show the help and exit."]
    body += post_roff(post)
    body += [".SH SEE ALSO", "\\fBvigil\\fR(8)" + (", \\fBvigil.yaml\\fR(5)" if name == "run" else "")]
    return page(f"vigil-{name}", 8, summary, body)


SIGNALS = """.SH SIGNALS
.TP
\\fBSIGINT\\fR, \\fBSIGTERM\\fR
Stop: the sensors are detached, what the ring buffer holds is written, agent.stats comes last,
within a fraction of a second. A second one stops at once and counts what is left as lost.
.TP
\\fBSIGHUP\\fR
Reload the rules (and, with \\fB\\-\\-config\\fR, the configuration file); the old rules keep
running when the new ones have an error.
.TP
\\fBSIGUSR1\\fR
Reopen the \\fB\\-\\-output\\fR file by its name (after logrotate renamed it).
"""

FILES = """.SH FILES
.TP
\\fI/etc/vigil/vigil.yaml\\fR
The configuration of the vigil service (\\fBvigil.yaml\\fR(5)).
.TP
\\fI/etc/vigil/rules.d/*.yaml\\fR
Local rules, loaded with the bundled library.
.TP
\\fI/var/log/vigil/events.jsonl\\fR
Where the service writes its events and alerts.
"""


def main_page(vigil, commands, tools):
    usage, desc, groups, post = parse_help(run(vigil, "run", "--help"))
    body = [".SH SYNOPSIS", ".nf", "\\fBvigil\\fR \\fICOMMAND\\fR [\\fIOPTION\\fR...]",
            "\\fBvigil\\fR \\fITOOL\\fR [\\fIOPTION\\fR...]", "\\fBvigil help\\fR [\\fICOMMAND\\fR|\\fITOOL\\fR]",
            "\\fBvigil \\-\\-version\\fR", ".fi", ".SH DESCRIPTION", ".PP",
            "vigil is an eBPF runtime security agent: it watches processes, files, network, "
            "privileges and kernel activity from inside the kernel, matches rules there, and "
            "denies what they forbid with the strongest mechanism the kernel offers. Each command "
            "and tool has its own page, \\fBvigil\\-\\fR\\fINAME\\fR(8).", ".SH COMMANDS"]
    for n, s in commands:
        body += [".TP", f"\\fBvigil {esc(n)}\\fR", f"{esc(s)} (\\fBvigil\\-{esc(n)}\\fR(8))"]
    body += [".SH TOOLS"]
    for n, s in tools:
        body += [".TP", f"\\fBvigil {esc(n)}\\fR", f"{esc(s)} (\\fBvigil\\-{esc(n)}\\fR(8))"]
    body += SIGNALS.strip().split("\n") + FILES.strip().split("\n")
    body += [".SH SEE ALSO", "\\fBvigil.yaml\\fR(5), " +
             ", ".join(f"\\fBvigil\\-{esc(n)}\\fR(8)" for n, _ in commands + tools)]
    return page("vigil", 8, "eBPF runtime security agent and tools", body)


def yaml_page(vigil):
    usage, desc, groups, post = parse_help(run(vigil, "run", "--help"))
    body = [".SH SYNOPSIS", "\\fI/etc/vigil/vigil.yaml\\fR", ".SH DESCRIPTION", ".PP",
            "The configuration file of \\fBvigil run \\-\\-config\\fR \\fIFILE\\fR, which is how the "
            "vigil service starts. It is a YAML mapping whose keys are exactly the long options of "
            "\\fBvigil run\\fR: a switch takes \\fBtrue\\fR or \\fBfalse\\fR, an option with a value "
            "takes it as a scalar, and a list stands for the option repeated. Options given on the "
            "command line replace the file's value of the same key. \\fBvigil config check\\fR "
            "reports every problem as \\fIFILE\\fR:\\fILINE\\fR:\\fICOLUMN\\fR (an unknown key with "
            "the closest option name); \\fBvigil config show\\fR prints the effective configuration. "
            "On SIGHUP the service reads the file again: the rule sources (\\fBpolicy\\fR) apply at "
            "once, other changed keys at the next restart, which vigil says.", ".SH KEYS"]
    for title, opts in groups:
        if title:
            body.append(f".SS {esc(title)}")
        for flag, doc in opts:
            m = re.search(r"--([a-z0-9-]+)(\[?=([^\]]+)\]?)?", flag)
            if not m or m.group(1) == "config":
                continue
            key, arg = m.group(1), m.group(3)
            kind = f"\\fI{esc(arg)}\\fR" + (" or \\fBtrue\\fR" if flag.find("[=") >= 0 else "") \
                if arg else "\\fBtrue\\fR|\\fBfalse\\fR"
            body += [".TP", f"\\fB{esc(key)}:\\fR {kind}", esc(doc)]
    body += [".SH EXAMPLE", ".nf",
             "output: /var/log/vigil/events.jsonl", "format: json", "policy:",
             "  \\- bundled", "  \\- /etc/vigil/rules.d", "uid: [1000, 1001]", "ancestors: true", ".fi",
             ".SH SEE ALSO", "\\fBvigil\\fR(8), \\fBvigil\\-run\\fR(8), \\fBvigil\\-config\\fR(8)"]
    return page("vigil.yaml", 5, "configuration of the vigil agent", body)


def main():
    vigil, outdir = sys.argv[1], sys.argv[2]
    os.makedirs(outdir, exist_ok=True)
    commands, tools = listing(vigil)
    assert commands and tools, "vigil --help lists no commands"
    pages = {"vigil.8": main_page(vigil, commands, tools), "vigil.yaml.5": yaml_page(vigil)}
    for n, s in commands + tools:
        pages[f"vigil-{n}.8"] = command_page(vigil, n, s)
    for fname, text in pages.items():
        with open(os.path.join(outdir, fname), "w") as f:
            f.write(text)


if __name__ == "__main__":
    main()
