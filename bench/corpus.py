#!/usr/bin/env python3
"""Writes a deterministic knowledge base of N articles for benchmarks: the same seed gives the
same bytes. Two copies of the same articles are written:

  <out>/tryfirst/  a tryfirst site (site.toml + content/)
  <out>/hugo/      a Hugo site (TOML front matter, minimal templates doing comparable work:
                   article page, home, category and tag lists, sitemap)

Shape: question titles, 3-7 steps with bold, links and inline code, the escalation section,
tables and code blocks in some, 2-4 tags from 40, 12 categories, 2-4 related slugs,
300-1,500 words. Usage: bench/corpus.py N OUT [--seed S]
"""
import argparse
import os
import random

WORDS = (
    "account password reset laptop printer network vpn outlook mailbox teams onedrive sharepoint "
    "backup restore device update windows settings admin user sign-in browser cache profile "
    "license tenant policy security phishing ransomware firewall router wifi office cable screen "
    "driver queue sync folder permission share calendar meeting audio microphone camera battery "
    "disk memory performance restart service status error message warning confirm check open "
    "close select choose click follow enter remove add change keep wait call ticket team support"
).split()
VERBS = "lost cannot stuck broken slow failing missing locked blocked offline".split()
THINGS = "phone laptop printer mailbox password key account folder meeting screen".split()
CATEGORIES = [f"category-{i:02d}" for i in range(12)]
TAGS = [f"tag-{i:02d}" for i in range(40)]


def sentence(rng, words=None):
    n = words or rng.randint(8, 18)
    text = " ".join(rng.choice(WORDS) for _ in range(n))
    return text[0].upper() + text[1:] + "."


def paragraph(rng, sentences):
    return " ".join(sentence(rng) for _ in range(sentences))


def article(rng, i, slugs):
    slug = slugs[i]
    title = f"What if my {rng.choice(THINGS)} is {rng.choice(VERBS)} ({i})?"
    category = rng.choice(CATEGORIES)
    tags = rng.sample(TAGS, rng.randint(2, 4))
    related = rng.sample([s for s in slugs if s != slug], rng.randint(2, 4))
    updated = f"2026-{rng.randint(1, 11):02d}-{rng.randint(1, 28):02d}"
    risk = rng.choice(["low", "medium", "high"])
    target_words = rng.randint(300, 1500)
    intro = paragraph(rng, 3)
    steps = []
    for n in range(rng.randint(3, 7)):
        link = rng.choice(related)
        steps.append(
            f"{n + 1}. **{sentence(rng, 4)}** {paragraph(rng, 2)} Run `{rng.choice(WORDS)}-{n}` "
            f"and see [the related article](@/{link})."
        )
    body = [intro, "", "## Try this first", "", *steps, ""]
    words = sum(len(part.split()) for part in body)
    if rng.random() < 0.3:
        body += ["| Setting | Value |", "|---|---|", *[f"| {rng.choice(WORDS)} | `{rng.randint(1, 99)}` |" for _ in range(4)], ""]
    if rng.random() < 0.3:
        body += ["```", *[f"{rng.choice(WORDS)} --{rng.choice(WORDS)} {rng.randint(1, 9)}" for _ in range(4)], "```", ""]
    extra = []
    while words < target_words - 60:
        p = paragraph(rng, 4)
        extra.append(p)
        words += len(p.split())
    body += extra[: len(extra) // 2]
    body += ["", "## When to bring us in", "", paragraph(rng, 3), *[""] , *extra[len(extra) // 2 :]]
    front = {
        "title": title,
        "description": sentence(rng, 14),
        "category": category,
        "tags": tags,
        "related": related,
        "updated": updated,
        "risk": risk,
    }
    return slug, category, front, "\n".join(body) + "\n"


def toml_front(front, hugo):
    lines = ["+++"]
    for key, value in front.items():
        if hugo and key in ("related", "risk"):
            key = "params_" + key
        if isinstance(value, list):
            lines.append(f"{key} = [{', '.join(chr(34) + v + chr(34) for v in value)}]")
        elif key == "updated":
            lines.append(f"{'lastmod' if hugo else key} = {value}")
        else:
            lines.append(f'{key} = "{value}"')
    if hugo:
        lines.append(f'categories = ["{front["category"]}"]')
    lines.append("+++")
    return "\n".join(lines) + "\n\n"


HUGO_CONFIG = """baseURL = "https://help.example.test/"
title = "Bench Help"
languageCode = "en"
# tryfirst has no per-section list page; both write a 404, a search and a privacy page.
disableKinds = ["RSS", "section"]
[taxonomies]
  category = "categories"
  tag = "tags"
# "See also" as tryfirst computes it: articles sharing tags. Hugo's default related indices also
# match on keywords and dates, which costs it minutes at 10,000 pages: more work, not comparable.
[related]
  threshold = 0
  includeNewer = true
  toLower = false
  [[related.indices]]
    name = "tags"
    weight = 100
"""

HUGO_LAYOUTS = {
    "_default/baseof.html": "<!DOCTYPE html><html lang=\"en\"><head><title>{{ .Title }}</title></head><body><main>{{ block \"main\" . }}{{ end }}</main></body></html>\n",
    "_default/single.html": "{{ define \"main\" }}<article><h1>{{ .Title }}</h1><p>{{ .Lastmod.Format \"2 January 2006\" }} {{ .Params.params_risk }}</p>{{ .Content }}<h2>See also</h2><ul>{{ range first 6 (.Site.RegularPages.Related .) }}<li><a href=\"{{ .RelPermalink }}\">{{ .Title }}</a></li>{{ end }}</ul></article>{{ end }}\n",
    "_default/list.html": "{{ define \"main\" }}<h1>{{ .Title }}</h1><ul>{{ range .Pages }}<li><a href=\"{{ .RelPermalink }}\">{{ .Title }}</a> {{ .Description }}</li>{{ end }}</ul>{{ end }}\n",
    "_default/terms.html": "{{ define \"main\" }}<h1>{{ .Title }}</h1><ul>{{ range .Data.Terms.Alphabetical }}<li><a href=\"{{ .Page.RelPermalink }}\">{{ .Page.Title }}</a> {{ .Count }}</li>{{ end }}</ul>{{ end }}\n",
    "404.html": "{{ define \"main\" }}<h1>Page not found</h1><ul>{{ range .Site.Taxonomies.categories }}<li><a href=\"{{ .Page.RelPermalink }}\">{{ .Page.Title }}</a></li>{{ end }}</ul>{{ end }}\n",
    "index.html": "{{ define \"main\" }}<h1>{{ .Site.Title }}</h1><ul>{{ range first 10 (sort .Site.RegularPages \"Lastmod\" \"desc\") }}<li><a href=\"{{ .RelPermalink }}\">{{ .Title }}</a></li>{{ end }}</ul>{{ end }}\n",
}


def site_toml():
    lines = [
        'title = "Bench Help"',
        'base_url = "https://help.example.test"',
        "[company]",
        'name = "Bench IT"',
        'email = "help@example.test"',
        "[cta]",
        'heading = "Skip the DIY"',
        'text = "Become a client."',
        'button_label = "Talk to us"',
        'url = "https://example.test/clients"',
    ]
    for category in CATEGORIES:
        lines += ["[[categories]]", f'slug = "{category}"', f'name = "{category.title()}"']
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("n", type=int)
    parser.add_argument("out")
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    slugs = [f"kb-{i:05d}" for i in range(args.n)]
    tf = os.path.join(args.out, "tryfirst")
    hugo = os.path.join(args.out, "hugo")
    os.makedirs(os.path.join(tf, "content"), exist_ok=True)
    os.makedirs(os.path.join(hugo, "content", "kb"), exist_ok=True)
    with open(os.path.join(tf, "site.toml"), "w") as f:
        f.write(site_toml())
    with open(os.path.join(hugo, "hugo.toml"), "w") as f:
        f.write(HUGO_CONFIG)
    for name, text in HUGO_LAYOUTS.items():
        path = os.path.join(hugo, "layouts", name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)
    for page in ("search", "privacy"):
        with open(os.path.join(hugo, "content", page + ".md"), "w") as f:
            f.write(f'+++\ntitle = "{page.title()}"\n+++\n\nThe {page} page.\n')
    for i in range(args.n):
        slug, category, front, body = article(rng, i, slugs)
        folder = os.path.join(tf, "content", category)
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, slug + ".md"), "w") as f:
            f.write(toml_front(front, hugo=False) + body)
        hugo_body = body.replace("](@/", "](/kb/")
        with open(os.path.join(hugo, "content", "kb", slug + ".md"), "w") as f:
            f.write(toml_front(front, hugo=True) + hugo_body)


if __name__ == "__main__":
    main()
