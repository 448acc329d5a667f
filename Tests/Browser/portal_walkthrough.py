#!/usr/bin/env python3
"""The portal in a real browser: Debian's Chromium driven over WebDriver (/usr/bin/chromedriver).

Starts the five-node network of Tests/Browser/portal.yaml with real `credit-node serve`
processes, loads generated records, and walks the province's, the county's and a village's
credit portals as a person would — with JavaScript switched off, since the pages must work
without it: the home page, a two-character search for a person, a fragment of a company's name and
its whole name (that company listed first),
a subject page (masked ID number), a listing filtered by region and date and its CSV, a credit
report printed to PDF and its signed twin verified offline and on the portal's 报告核验 page (and a
tampered copy refused there), a penalty's credit-repair note and a repair application granted
from the province's work queue, an objection on the province's portal accepted, marked 协查
(another unit helps verify) and closed from the work queue, and an objection submitted on a
village's portal, accepted with the command line, that then shows as 异议处理中 there and,
after it travelled up, on the province's portal; then the province's operators' pages (collection
and the four rates) on its local records listener, and its network page watching a stopped village
(one-minute window) turn at risk, then breached, and recover when started again. Before that,
the public's pages once more on a phone's screen (390 CSS px): none may be wider than the screen.
Saves a screenshot per page and fails on any browser console error, any whole resident ID
number, and any page a screen reader cannot follow (`ACCESSIBLE`).

Usage: portal_walkthrough.py CREDIT_NODE OUTPUT_DIR
"""
import base64
import csv as csvfile
import json
import os
import re
import ssl
import shutil
import subprocess
import sys
import time
import urllib.parse
import urllib.request
import struct
import zlib

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.print_page_options import PrintOptions
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import Select, WebDriverWait

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts"))
from sample_edits import ALPHABET, refile_as_businesses, set_fields, uscc  # noqa: E402

TOPOLOGY = "Tests/Browser/portal.yaml"
PROVINCE = "http://127.0.0.1:7900"
COUNTY = "http://127.0.0.1:7901"
# The province's records listener with the operators' pages (sync port + 200, local only).
PROVINCE_OPS = "http://127.0.0.1:8000"
VILLAGE_CODE = "429004001201"
# The village with a one-minute window (portal.yaml), stopped and started again by the test.
SHORT_WINDOW_VILLAGE = "429004001202"
TOWNSHIP_CODE = "429004001000"
VILLAGE = "http://127.0.0.1:7903"
# The village's records listener with its operators' pages.
VILLAGE_OPS = "http://127.0.0.1:8003"
# A whole resident ID number: 17 digits and a digit or X standing alone, with a birth date
# (1900–2099) in digits 7–14 — all-digit credit codes, which are public, have none there.
# A resident ID number an operator types by mistake (its check character right): never shown back.
VALID_ID = "429004198503153016"
WHOLE_ID = re.compile(r"(?<![0-9A-Za-z])[0-9]{6}(?:19|20)[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])[0-9]{3}[0-9Xx](?![0-9A-Za-z])")

# What every page owes a reader with a screen reader or a keyboard (GB/T 37668 信息无障碍, WCAG):
# the language, a label for every field, an alternative for every image and chart, text on every
# link and button, one h1, no id twice. Run by WebDriver, which JavaScript switched off for pages
# does not stop.
ACCESSIBLE = """
var problems = [];
var lang = document.documentElement.getAttribute('lang') || '';
if (lang.indexOf('zh') !== 0) problems.push('html lang "' + lang + '"');
document.querySelectorAll('input, select, textarea').forEach(function (e) {
  var t = (e.getAttribute('type') || '').toLowerCase();
  if (['hidden', 'submit', 'button', 'reset', 'image'].indexOf(t) >= 0) return;
  var labelled = (e.id && document.querySelector('label[for="' + e.id + '"]')) || e.closest('label') ||
    e.getAttribute('aria-label') || e.getAttribute('aria-labelledby') || e.getAttribute('title');
  if (!labelled) problems.push('a ' + e.tagName.toLowerCase() + ' without a label (name=' + e.getAttribute('name') + ')');
});
document.querySelectorAll('img').forEach(function (e) { if (!e.hasAttribute('alt')) problems.push('an image without alt: ' + e.getAttribute('src')); });
document.querySelectorAll('svg').forEach(function (e) {
  if (!(e.getAttribute('role') || e.getAttribute('aria-label') || e.getAttribute('aria-hidden') || e.querySelector('title'))) problems.push('a chart without a name');
});
document.querySelectorAll('a').forEach(function (e) {
  if (!(e.textContent.trim() || e.getAttribute('aria-label'))) problems.push('a link without text: ' + e.getAttribute('href'));
});
document.querySelectorAll('button').forEach(function (e) { if (!(e.textContent.trim() || e.getAttribute('aria-label'))) problems.push('a button without text'); });
var h1 = document.querySelectorAll('h1').length;
if (h1 !== 1) problems.push(h1 + ' h1 headings');
var ids = {};
document.querySelectorAll('[id]').forEach(function (e) { if (ids[e.id]) problems.push('the id "' + e.id + '" twice'); ids[e.id] = 1; });
return problems;
"""

# What every page owes a reader with weak eyes (WCAG 1.4.3, and 《互联网网站适老化通用设计规范》 for
# 关怀版): every visible text against what is drawn behind it (the first opaque background colour
# up the tree, translucent ones and opacity blended) at 4.5:1, or 3:1 for large text; and no text
# smaller than arguments[0] px (18 in 关怀版, 0 otherwise).
READABLE = """
function rgba(s) { var m = s.match(/rgba?\\(([^)]+)\\)/); if (!m) return [0, 0, 0, 0]; var p = m[1].split(',').map(parseFloat); return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1]; }
function lum(c) { var a = c.slice(0, 3).map(function (v) { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); }); return 0.2126 * a[0] + 0.7152 * a[1] + 0.0722 * a[2]; }
function over(top, under) { var a = top[3]; return [top[0] * a + under[0] * (1 - a), top[1] * a + under[1] * (1 - a), top[2] * a + under[2] * (1 - a), 1]; }
function behind(e) {
  var layers = [];
  for (var n = e; n && n.nodeType === 1; n = n.parentElement) { var b = rgba(getComputedStyle(n).backgroundColor); if (b[3] > 0) { layers.push(b); if (b[3] >= 1) break; } }
  var c = [255, 255, 255, 1];
  for (var i = layers.length - 1; i >= 0; i--) c = over(layers[i], c);
  return c;
}
var problems = [], least = arguments[0];
document.querySelectorAll('body *').forEach(function (e) {
  if (e.closest('svg')) return;
  var own = Array.prototype.some.call(e.childNodes, function (n) { return n.nodeType === 3 && n.textContent.trim(); });
  if (!own) return;
  var r = e.getBoundingClientRect(), st = getComputedStyle(e);
  if (r.width === 0 || r.height === 0 || r.right < 0 || st.visibility === 'hidden') return;
  var size = parseFloat(st.fontSize), bold = parseInt(st.fontWeight) >= 700, text = e.textContent.trim().slice(0, 16);
  if (size < least) problems.push(size + ' px text: ' + text);
  var bg = behind(e), fg = over(rgba(st.color), bg), opacity = 1;
  for (var n = e; n && n.nodeType === 1; n = n.parentElement) opacity *= parseFloat(getComputedStyle(n).opacity);
  if (opacity < 1) fg = over([fg[0], fg[1], fg[2], opacity], bg);
  var ratio = (Math.max(lum(fg), lum(bg)) + 0.05) / (Math.min(lum(fg), lum(bg)) + 0.05);
  if (ratio < ((size >= 24 || (bold && size >= 18.66)) ? 3 : 4.5)) problems.push('contrast ' + ratio.toFixed(2) + ':1: ' + text);
});
return problems.slice(0, 8);
"""



def small_png(path, width=48, height=32):
    """A photo of a receipt as a reporter might attach: a real PNG (grey stripes), written with
    the standard library alone."""
    rows = b"".join(b"\x00" + bytes((200 if (x // 4 + y // 4) % 2 else 90) for x in range(width)) for y in range(height))
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    png = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
           + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))
    with open(path, "wb") as f:
        f.write(png)
    return png

class Walkthrough:
    def __init__(self, node, out):
        self.node = node
        self.out = out
        self.net = os.path.join(out, "network")
        self.shots = 0
        self.failures = []

    def run(self, *args, **kwargs):
        return subprocess.run([self.node, *args], check=True, capture_output=True, text=True, **kwargs).stdout

    def json(self, url):
        sep = "&" if "?" in url else "?"
        with urllib.request.urlopen(url + sep + "format=json", timeout=10) as r:
            return json.load(r)

    def check(self, ok, what):
        print(("  ok    " if ok else "  FAIL  ") + what)
        if not ok:
            self.failures.append(what)

    def wait_for(self, what, predicate, seconds=60):
        """Polls `predicate` until it holds: the network moves on its own schedule."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if predicate():
                return True
            time.sleep(0.5)
        self.check(False, f"{what} within {seconds} s")
        return False

    def fill(self, action, name, contact, reason):
        """Fills the record page's form posting to `action` (an objection or a repair application)."""
        form = self.driver.find_element(By.CSS_SELECTOR, f"form[action='{action}']")
        form.find_element(By.NAME, "name").send_keys(name)
        form.find_element(By.NAME, "contact").send_keys(contact)
        form.find_element(By.NAME, "reason").send_keys(reason)
        return form

    def submit(self, element):
        """Submits `element`'s form and waits until the answer has replaced the page: a navigation
        started by a form is not waited for by WebDriver, and a `get` right after could lose to it."""
        old = self.driver.find_element(By.TAG_NAME, "html")
        element.submit()
        WebDriverWait(self.driver, 30).until(expected_conditions.staleness_of(old))

    def page(self, url, name, status=200):
        """Opens a page, saves its screenshot, and checks the console and the ID numbers."""
        self.driver.get(url)
        return self.looked_at(name, expected=None if status == 200 else f"status of {status}")

    def looked_at(self, name, expected=None):
        self.shots += 1
        path = os.path.join(self.out, f"{self.shots:02d}-{name}.png")
        self.driver.save_screenshot(path)
        # A page answered with an error status is logged as such; nothing else may be.
        errors = [
            e for e in self.driver.get_log("browser")
            if e["level"] in ("SEVERE", "ERROR") and not (expected and expected in e["message"])
        ]
        self.check(not errors, f"{name}: no console error {errors if errors else ''}")
        text = self.driver.page_source
        self.check(WHOLE_ID.search(text) is None, f"{name}: no whole resident ID number in the page")
        problems = self.driver.execute_script(ACCESSIBLE)
        self.check(not problems, f"{name}: accessible {problems if problems else ''}")
        care = self.driver.execute_script("return document.documentElement.classList.contains('care')")
        faint = self.driver.execute_script(READABLE, 18 if care else 0)
        self.check(not faint, f"{name}: every text readable{' (关怀版: 18 px at least)' if care else ''} {faint if faint else ''}")
        return text

    def start(self):
        shutil.rmtree(self.net, ignore_errors=True)
        certs = os.path.join(self.out, "certs")
        self.run("down", TOPOLOGY, "--dir", self.net)
        print(self.run("up", TOPOLOGY, "--dir", self.net, "--certs", certs))
        print(self.run("load", TOPOLOGY, "--dir", self.net, "--records", "600", "--follow", "90"))
        options = webdriver.ChromeOptions()
        for a in ["--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1280,1200", "--lang=en-US"]:
            options.add_argument(a)
        # Pages must work without JavaScript: the walk is done with it switched off.
        options.add_experimental_option("prefs", {"profile.managed_default_content_settings.javascript": 2})
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        self.driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)

    def stop(self):
        try:
            self.driver.quit()
        except Exception:
            pass
        subprocess.run([self.node, "down", TOPOLOGY, "--dir", self.net], capture_output=True)

    def walk(self):
        d = self.driver
        # The accessibility check finds what it looks for (a check that cannot fail proves nothing).
        d.get("data:text/html;charset=utf-8,<html lang=en><body><h1>a</h1><h1>b</h1><input name=q><img src=x.png><a href=/x></a></body></html>")
        found = d.execute_script(ACCESSIBLE)
        self.check(len(found) == 5, f"the accessibility check finds a page's five faults: {found}")
        # So does the reading check: light grey on white, white on a translucent white over white,
        # and 12 px text where 18 is the least.
        d.get("data:text/html;charset=utf-8,<html lang=zh><body style='background:%23fff'><p style='color:%23aaa'>浅</p>"
              "<div style='background:rgba(255,255,255,.5)'><span style='color:%23fff'>白</span></div><p style='font-size:12px'>小</p></body></html>")
        found = d.execute_script(READABLE, 18)
        self.check(len(found) == 5 and sum("contrast" in f for f in found) == 2, f"the reading check finds the faint and the small text: {found}")
        # Home.
        text = self.page(PROVINCE + "/", "province-home")
        self.check("信用湖北省" in d.title and "最新双公示" in text, "the province's home page names its area and shows the latest 双公示")
        home = self.json(PROVINCE + "/")
        self.check(home["total"] > 0 and any(c["kind"] == "license" for c in home["counts"]), "counts by kind, licences among them")

        # A person found by two characters of their name, typed into the search box.
        rows = self.json(PROVINCE + "/publicity/penalty")["rows"]
        person = next(r for r in rows if r["record"]["isPerson"])
        name = person["record"]["subjectName"]
        box = d.find_element(By.ID, "hq")
        box.send_keys(name[:2])
        self.submit(box)
        self.looked_at("search-person")
        # As read (the fragment is marked inside the name in the markup).
        shown = d.find_element(By.TAG_NAME, "main").text
        self.check(name in shown, f"a two-character search ({name[:2]}) finds {name}")
        marked = [m.text for m in d.find_elements(By.CSS_SELECTOR, ".hit mark")]
        self.check(name[:2] in marked, f"the fragment is marked in the names found: {marked[:3]}")

        # A company by a fragment of its name.
        company = next(r for r in rows if not r["record"]["isPerson"])["record"]["subjectName"]
        fragment = company[2:6]
        self.page(PROVINCE + "/search?q=" + urllib.parse.quote(fragment), "search-company")
        self.check(company in d.find_element(By.TAG_NAME, "main").text, f"a fragment ({fragment}) finds {company}")
        hit = next(h for h in d.find_elements(By.CLASS_NAME, "hit") if company in h.text)
        self.check(re.search(r"行政处罚 [0-9]+ 条", hit.text) is not None, f"the hit says how many penalties the public sees: {hit.text!r}")
        # Its whole name: that company first (a name beginning with what was typed comes before
        # one holding it further on, the name itself before all).
        self.page(PROVINCE + "/search?q=" + urllib.parse.quote(company), "search-company-whole")
        names = [h.text for h in d.find_elements(By.CSS_SELECTOR, ".hit strong")]
        self.check(names[:1] == [company], f"the whole name ({company}) lists that company first: {names[:3]}")
        begins = [n.startswith(company) for n in names]
        self.check(begins == sorted(begins, reverse=True), f"the names beginning with it come first: {names[:5]}")

        # A penalty by the number on its decision (决定文书号), typed as people type it: round
        # brackets for 〔 〕, a space after the year; the row opens the decision's page.
        penalty = next(r for r in rows if not r["record"]["isPerson"] and "〔" in (r["record"].get("documentNumber") or ""))
        number = penalty["record"]["documentNumber"]
        typed = number.replace("〔", "(").replace("〕", ") ")
        d.get(PROVINCE + "/")
        box = d.find_element(By.ID, "hq")
        self.check("决定文书号" in box.get_attribute("placeholder"), "the search box says a decision's number may be typed")
        box.send_keys(typed)
        self.submit(box)
        text = self.looked_at("search-document-number")
        section = d.find_element(By.ID, "search-documents").find_element(By.XPATH, "..")
        self.check(f"“{typed}”的公示信息" in section.text and number in section.text,
                   f"the number typed as {typed!r} finds the penalty numbered {number}: {section.text[:120]!r}")
        section.find_element(By.CSS_SELECTOR, "a.row-title").click()
        self.check(d.current_url.endswith(penalty["recordLink"]) and number in d.find_element(By.TAG_NAME, "main").text,
                   f"the row opens the decision's page: {d.current_url}")
        missing = number.replace("〕", "〕9")
        text = self.page(PROVINCE + "/search?q=" + urllib.parse.quote(missing), "search-document-number-missing")
        self.check(f"没有找到决定文书号为“{missing}”的公示信息" in text, f"a number nobody bears is said not found: {text[:160]!r}")

        # The person's page: the ID number masked.
        d.get(PROVINCE + "/search?q=" + urllib.parse.quote(name[:2]))
        d.find_element(By.LINK_TEXT, name).click()
        text = self.looked_at("subject-person")
        self.check(person["record"]["subject"] in text and "*" in person["record"]["subject"], "the subject page shows the masked ID number")
        summary = d.find_element(By.CLASS_NAME, "subject-summary").text
        self.check(summary.startswith("本站公示") and "条" in summary, f"the subject page counts what the public sees: {summary!r}")

        # A listing filtered by region and date, then its CSV.
        d.get(PROVINCE + "/publicity/penalty")
        Select(d.find_element(By.NAME, "region")).select_by_value("429004000000")
        day = rows[0]["record"]["decisionDate"]
        # A date field takes the digits in the browser's locale order (en-US: month, day, year).
        y, m, dd = day.split("-")
        d.find_element(By.NAME, "from").send_keys(m + dd + y)
        self.submit(d.find_element(By.NAME, "region"))
        text = self.looked_at("listing-filtered")
        self.check("region=429004000000" in d.current_url and filtered_from(d.current_url) == day, f"the filter form sends the region and the date {day}")
        filtered = self.json(d.current_url)
        self.check(
            all(r["record"]["jurisdiction"].startswith("429004") and r["record"]["decisionDate"] >= filtered["filter"]["from"] for r in filtered["rows"]),
            "every row of the filtered listing lies in the region and the date range",
        )
        csv_link = d.find_element(By.LINK_TEXT, "下载 CSV").get_attribute("href")
        with urllib.request.urlopen(csv_link, timeout=10) as r:
            csv = r.read()
        with open(os.path.join(self.out, "listing.csv"), "wb") as f:
            f.write(csv)
        self.check(csv.startswith(b"\xef\xbb\xbf") and "决定日期".encode() in csv[:40], "the CSV has a BOM and Chinese headers")
        self.check(WHOLE_ID.search(csv.decode("utf-8")) is None, "the CSV holds no whole resident ID number")

        # The rules behind a record (公示目录): from a record page to its kind's entry, which says
        # how long it is shown and when repair may be asked; its fields opened without script.
        d.get(PROVINCE + person["recordLink"])
        d.find_element(By.PARTIAL_LINK_TEXT, "公示期限和信用修复规定").click()
        self.looked_at("catalogue")
        self.check(d.current_url.endswith("/catalogue#penalty"), f"the record page links its kind's entry in the catalogue: {d.current_url}")
        entry = d.find_element(By.ID, "penalty")
        self.check("警告、通报批评：自处罚决定日期起公示 3 个月" in entry.text and "最短公示期 1 年" in entry.text
                   and re.search(r"现公示\s*[0-9]+ 条", entry.text) is not None,
                   "the entry says how long a penalty is shown, when repair may be asked and how many are shown now")
        self.check("部分隐去" not in entry.text, "the entry's fields are folded")
        entry.find_element(By.TAG_NAME, "summary").click()
        self.check("证件号码（部分隐去）" in entry.text, "opened without script, the fields show, ID numbers marked partly hidden")
        self.looked_at("catalogue-fields")

        # 公示统计: from the home page, what the departments published in all and how much on time.
        d.get(PROVINCE + "/")
        d.find_element(By.PARTIAL_LINK_TEXT, "各部门、各地区公示情况").click()
        text = self.looked_at("statistics")
        stats = self.json(PROVINCE + "/statistics")
        published = next(k for k in stats["kinds"] if k["kind"] == "penalty")
        shown = next(c["count"] for c in home["counts"] if c["kind"] == "penalty")
        self.check("按时公示率" in text and published["records"] >= shown and 0 < published["onTime"] <= published["records"],
                   f"the statistics count {published['records']} penalties published ({shown} shown at first), {published['onTime']} on time")
        self.check(any(r["code"] == "429004000000" and r["records"] > 0 for r in stats["regions"]), "by region: 仙桃市 has published")

        # The person's credit report: opened from their page, printed to PDF by Chromium, and its
        # signed twin checked offline with verify-report against the network's CA.
        d.get(PROVINCE + person["subjectLink"])
        d.find_element(By.LINK_TEXT, "出具信用报告").click()
        text = self.looked_at("report")
        self.check("公共信用信息报告" in text and "报告编号" in text and "CNR-420000000000-" in text, "the report page has its number and issuer")
        # On A4, as the page's @page rule asks of a browser's print dialog.
        a4 = PrintOptions()
        a4.page_width, a4.page_height = 21.0, 29.7
        pdf = base64.b64decode(d.print_page(a4))
        with open(os.path.join(self.out, "report.pdf"), "wb") as f:
            f.write(pdf)
        self.check(pdf.startswith(b"%PDF") and len(pdf) > 10_000, "the report prints to PDF")
        # Each record whole on its page, two to a page as a rule: not a page and a half each.
        entries = len(d.find_elements(By.CSS_SELECTOR, ".report-entry"))
        pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
        self.check(entries >= 4 and 0 < pages <= entries * 3 // 5 + 1, f"the report's {entries} records print on {pages} A4 pages")
        json_link = d.find_element(By.PARTIAL_LINK_TEXT, "电子报告").get_attribute("href")
        with urllib.request.urlopen(json_link, timeout=10) as r:
            signed = r.read()
        report_file = os.path.join(self.out, "report.json")
        with open(report_file, "wb") as f:
            f.write(signed)
        self.check(WHOLE_ID.search(signed.decode("utf-8")) is None, "the signed report holds no whole resident ID number")
        ca = next(os.path.join(root, "ca.pem") for root, _, files in os.walk(os.path.join(self.out, "certs")) if "ca.pem" in files)
        verified = json.loads(self.run("verify-report", report_file, "--ca", ca, "--json"))
        self.check(verified["verified"] and verified["records"] > 0, f"verify-report accepts it: {verified['message']}")

        # The same report checked online (报告核验), as whoever received it would: uploaded with the
        # form, verified; then a copy changed after signing, refused with why.
        d.get(PROVINCE + "/")
        d.find_element(By.LINK_TEXT, "报告核验").click()
        d.find_element(By.NAME, "report").send_keys(os.path.abspath(report_file))
        self.submit(d.find_element(By.NAME, "report"))
        text = self.looked_at("verify-ok")
        self.check("核验通过" in text and verified["number"] in text, "the portal's 报告核验 verifies the report uploaded")
        tampered = json.loads(signed)
        tampered["payload"] = tampered["payload"].replace('"issuedAt":"', '"issuedAt":"1', 1)
        tampered_file = os.path.join(self.out, "report-tampered.json")
        with open(tampered_file, "w", encoding="utf-8") as f:
            json.dump(tampered, f, ensure_ascii=False)
        d.find_element(By.NAME, "report").send_keys(os.path.abspath(tampered_file))
        self.submit(d.find_element(By.NAME, "report"))
        text = self.looked_at("verify-refused")
        self.check("未通过核验" in text and "bad-signature" in text, "a report changed after signing is refused, saying so")

        # An objection from the public, submitted on the village's portal; accepted with the
        # command line; 异议处理中 there at once, then at the province after it travelled.
        village_rows = self.json(VILLAGE + "/publicity/penalty")["rows"]
        candidate = next(r for r in village_rows if r["record"]["origin"] == VILLAGE_CODE and not r["record"]["objected"])
        # The network's division directory (行政区划名录) came down from the province: the record's
        # 所属行政区划 reads as an address, with its code.
        def area_named():
            fields = self.json(VILLAGE + candidate["recordLink"])["record"]["fields"]
            return any(f["label"] == "所属行政区划" and f["text"] == "湖北省仙桃市沙嘴街道沙嘴一村（" + VILLAGE_CODE + "）" for f in fields)

        self.wait_for("the division directory naming the village's area on its record page", area_named)
        text = self.page(VILLAGE + candidate["recordLink"], "village-record")
        self.check("湖北省仙桃市沙嘴街道沙嘴一村（" + VILLAGE_CODE + "）" in text, "the record page names its 所属行政区划 in words")
        repair = d.find_element(By.CSS_SELECTOR, "section.repair").text
        self.check("申请信用修复" in repair and (candidate["record"]["authority"] or "") in repair,
                   f"a penalty's page says when and whom to ask for credit repair: {repair[:80]!r}")
        self.submit(self.fill("/objections", "张三", "13800000000", "处罚决定已被复议撤销，请核实。"))
        text = self.looked_at("objection-received")
        self.check("已收到您的异议申诉" in text and "查询码" in text, "the objection form is accepted and gives a follow-up code")
        # The requester follows it with the code: pending now; their name and contact not shown.
        d.find_element(By.LINK_TEXT, "办理进度").click()
        status_url = d.current_url
        text = self.looked_at("objection-status-pending")
        self.check("待受理" in text and "13800000000" not in text and "张三" not in text, "the status page says 待受理 and not who asked")
        config = os.path.join(self.net, VILLAGE_CODE, "node.yaml")
        requests = json.loads(self.run("objection", "requests", "--json", "--config", config))
        mine = [r for r in requests if r["recordKey"] == candidate["record"]["key"]]
        self.check(len(mine) == 1 and mine[0]["contact"] == "13800000000", "the request waits at the village with its contact")
        self.run("objection", "accept", str(mine[0]["id"]), "--unit", "沙嘴一村村民委员会", "--config", config)
        text = self.page(status_url, "objection-status-accepted")
        self.check("已受理" in text, "the status page says 已受理 once accepted")
        text = self.page(VILLAGE + candidate["recordLink"], "village-record-objected")
        self.check("异议处理中" in text, "the village's portal shows 异议处理中 once accepted")
        self.check("13800000000" not in text, "the requester's contact is not shown")
        self.wait_for(
            "the objection reaching the province",
            lambda: self.json(PROVINCE + candidate["recordLink"])["record"]["objected"],
        )
        text = self.page(PROVINCE + candidate["recordLink"], "province-record-objected")
        self.check("异议处理中" in text, "the province's portal shows 异议处理中 after it travelled")

        self.authorised_query()
        self.government_lookup()
        self.department_upload()
        self.commitments_follow_up()
        self.government_integrity()
        self.joint_feedback()
        self.typical_case()
        self.joint_lists()
        self.credit_creation()
        self.graded_supervision()
        self.repair_outreach()
        self.former_codes()
        self.incentive_scenarios()
        self.credit_news()
        self.dishonesty_reports()
        self.credit_loans()
        self.corrected_area()

        # The county's portal and the lists.
        self.page(COUNTY + "/", "county-home")
        self.page(PROVINCE + "/lists/black", "blacklist")
        self.page(PROVINCE + "/lists/red", "redlist")
        text = self.page(PROVINCE + "/records/penalty%7Cnone", "not-found", status=404)
        self.check("没有找到" in text, "an unknown record says so")
        # A mistyped address: the portal's own page, with the search box, not the browser's.
        text = self.page(PROVINCE + "/publicity/fines", "no-such-page", status=404)
        self.check(
            "本站没有这个页面" in text and d.find_elements(By.CSS_SELECTOR, "header form.search input[name=q]"),
            "an address with no page is the portal's own page, search box and all",
        )

        # The operators' side of the province: collection and the four rates, its own area.
        text = self.page(PROVINCE_OPS + "/ops/", "ops-collection")
        collection = self.json(PROVINCE_OPS + "/ops/")
        status = json.loads(self.run("status", "--json", "--config", os.path.join(self.net, "420000000000", "node.yaml")))
        held = status.get("records", status.get("counts", {}).get("records"))
        self.check("数据归集" in text and "<svg" in text, "the dashboard shows collection with its chart")
        self.check(collection["totals"]["records"] == held, f"the dashboard's total ({collection['totals']['records']}) is the store's ({held})")
        self.check(sum(r["total"] for r in collection["regions"]) == held, "its regions add up to the total")
        # Every record entered the network at exactly one node: once all has travelled up, the
        # province's total is the sum of what each node's `status` says entered there.
        nodes = ["420000000000", "429004000000", TOWNSHIP_CODE, VILLAGE_CODE, SHORT_WINDOW_VILLAGE]

        def entered():
            return sum(json.loads(self.run("status", "--json", "--config", os.path.join(self.net, c, "node.yaml")))["enteredHere"] for c in nodes)

        self.wait_for("the province's /ops/ total equal to the sum of every node's status",
                      lambda: self.json(PROVINCE_OPS + "/ops/")["totals"]["records"] == entered())
        text = self.page(PROVINCE_OPS + "/ops/quality", "ops-quality")
        self.check("四率" in text and "迟报率" in text and "瞒报率" in text, "the four rates page shows 迟报率, 瞒报率 and the rest")
        # A department asks after one of its decisions: the office types its number, with square
        # brackets, into the records page's form.
        number = next(r["record"]["documentNumber"] for r in self.json(PROVINCE + "/publicity/penalty")["rows"]
                      if "〔" in (r["record"].get("documentNumber") or ""))
        self.driver.get(PROVINCE_OPS + "/ops/records")
        box = self.driver.find_element(By.NAME, "number")
        box.send_keys(number.replace("〔", "[").replace("〕", "]"))
        self.submit(box)
        text = self.looked_at("ops-records-number")
        listed = self.driver.find_elements(By.CSS_SELECTOR, "table.grid tbody tr")
        self.check(len(listed) >= 1 and all(number in r.text for r in listed) and "文书号" in text,
                   f"the records page finds the decision numbered {number}: {[r.text[:60] for r in listed]}")
        # 重点领域预警: each key area's penalties month by month (the sample's violations fall in
        # three of them), from the menu.
        self.driver.find_element(By.LINK_TEXT, "领域预警").click()
        text = self.looked_at("ops-warnings")
        figures = self.json(PROVINCE_OPS + "/ops/warnings?format=json")["figures"]
        counted = {a["name"]: sum(a["months"]) + a["current"] for a in figures["areas"]}
        self.check("重点领域预警" in text and len(figures["months"]) == 6 and all(counted[n] > 0 for n in ("食品安全", "安全生产", "生态环境")),
                   f"the key areas' penalties are counted month by month: {counted}")
        # The month's bulletin: the last whole month by default, this month chosen with the form
        # (the loaded records were decided in the last few days, or long ago and sent late).
        text = self.page(PROVINCE_OPS + "/ops/bulletin", "ops-bulletin")
        default = self.json(PROVINCE_OPS + "/ops/bulletin?format=json")
        self.check("定期通报" in text and "需要整改的决定机关" in text and default["month"] == default["months"][1]["value"],
                   "the bulletin opens on the last whole month and names the offices to follow up")
        current = default["months"][0]["value"]
        Select(self.driver.find_element(By.NAME, "month")).select_by_value(current)
        self.submit(self.driver.find_element(By.CSS_SELECTOR, ".bulletin-tools button"))
        text = self.looked_at("ops-bulletin-this-month")
        year, month = current.split("-")
        self.check(self.driver.current_url.endswith("month=" + current) and f"{year}年{int(month)}月定期通报" in text,
                   f"the form opens the bulletin of {current}")
        bulletin = self.json(PROVINCE_OPS + "/ops/bulletin?format=json&month=" + current)
        self.check(bulletin["total"]["records"] > 0 and bulletin["total"]["records"] == sum(k["records"] for k in bulletin["kinds"])
                   == sum(r["total"] for r in bulletin["regions"]), "this month's bulletin counts its decisions, by kind and region alike")
        with urllib.request.urlopen(PROVINCE_OPS + "/ops/bulletin?format=csv&month=" + current, timeout=10) as r:
            table = r.read().decode("utf-8")
        self.check(table.startswith("\ufeff月份,类别,决定机关") and WHOLE_ID.search(table) is None,
                   "the bulletin downloads as CSV, every office with its figures")
        # 四率走势: from the bulletin, the twelve months up to this one, each month as its bulletin
        # counts it, drawn as four small charts without script, and each region's late rate.
        self.driver.find_element(By.PARTIAL_LINK_TEXT, "四率走势").click()
        text = self.looked_at("ops-trend")
        trend = self.json(PROVINCE_OPS + "/ops/trend?format=json&to=" + current)
        this_month = trend["months"][-1]
        self.check("四率走势" in text and "四清零" in text and len(trend["months"]) == 12 and this_month["month"] == current
                   and this_month["rates"]["records"] == bulletin["total"]["records"] and this_month["status"] == "统计中",
                   f"the trend ends with {current}, counted as its bulletin counts it and not yet judged")
        charts = d.find_elements(By.CSS_SELECTOR, "figure.rate-chart svg")
        bars = d.find_elements(By.CSS_SELECTOR, "figure.rate-chart svg rect")
        heat = d.find_elements(By.CSS_SELECTOR, "table.heat tbody tr")
        self.check(len(charts) == 4 and len(bars) == 48 and len(heat) >= len(trend["regions"]) > 0,
                   f"four charts of twelve months each and a row per region: {len(charts)}, {len(bars)}, {len(heat)}")
        with urllib.request.urlopen(PROVINCE_OPS + "/ops/trend?format=csv&to=" + current, timeout=10) as r:
            table = r.read().decode("utf-8")
        self.check(table.startswith("\ufeff月份,当月决定,迟报") and len(table.strip().split("\r\n")) == 13,
                   "the trend downloads as CSV, a month a row")
        with urllib.request.urlopen(PROVINCE_OPS + "/ops/quarantine?format=csv", timeout=10) as r:
            download = r.read().decode("utf-8")
        self.check(download.startswith("\ufeff接收时间,文件,行号") and WHOLE_ID.search(download) is None,
                   "the refused rows download as CSV for the departments, ID numbers masked")

        # An objection from the public on the province's portal, accepted from the work queue
        # with the page's own form: 异议处理中 on the portal.
        fresh = next(r for r in self.json(PROVINCE + "/publicity/penalty")["rows"] if not r["record"]["objected"])
        self.page(PROVINCE + fresh["recordLink"], "province-record")
        form = self.fill("/objections", "王五", "wangwu@example.cn", "决定书文号有误。")
        # 证明材料: a photo of the decision as served, chosen with the form's file input.
        proof = os.path.abspath(os.path.join(self.out, "决定书照片.png"))
        proof_bytes = small_png(proof, width=64)
        form.find_element(By.NAME, "evidence").send_keys(proof)
        self.submit(form)
        objection_status = d.find_element(By.LINK_TEXT, "办理进度").get_attribute("href")
        text = self.page(PROVINCE_OPS + "/ops/work", "ops-work")
        self.check("异议申诉" in text and "wangwu@example.cn" in text, "the work queue lists the request with its contact")
        link = d.find_element(By.CSS_SELECTOR, "ul.evidence a")
        with urllib.request.urlopen(link.get_attribute("href"), timeout=10) as r:
            self.check(r.read() == proof_bytes and "决定书照片.png" in link.text, f"the office downloads the request's proof as it came: {link.text}")
        self.submit(d.find_element(By.CSS_SELECTOR, "form[action$='/accept'] button"))
        text = self.looked_at("ops-work-accepted")
        self.check("没有待办理的公众申请" in text, "accepted from the page, the request leaves the queue")
        text = self.page(PROVINCE + fresh["recordLink"], "province-record-accepted")
        self.check("异议处理中" in text, "the province's portal shows 异议处理中 after the operator accepted")
        text = self.page(objection_status, "objection-status-due")
        self.check("前核查并作出处理决定" in text, "the person reads the unit's time limit with their code")

        # The unit decides within its time limit; the office closes the objection from the queue
        # (维持, with the finding): the mark leaves the portal, the person reads the outcome.
        number = fresh["record"]["key"].split("|")[-1]
        self.page(PROVINCE_OPS + "/ops/work#objections", "ops-work-objections")
        row = next(r for r in d.find_elements(By.CSS_SELECTOR, "tr[id^='objection-']") if number in r.text)
        self.check("在办理时限内" in row.text, "the open objection stands within its time limit")
        # Another unit must help verify (协查): marked from the row's second form, the limit
        # becomes seven working days for the office and for the person.
        row.find_elements(By.TAG_NAME, "summary")[1].click()
        form = row.find_element(By.CSS_SELECTOR, "form[action$='/assist']")
        form.find_element(By.NAME, "reason").send_keys("需仙桃市税务局协助核实决定书文号。")
        form.find_element(By.NAME, "unit").send_keys("仙桃市市场监督管理局")
        self.looked_at("ops-work-objection-assist")
        self.submit(form.find_element(By.CSS_SELECTOR, "button[type='submit']"))
        self.looked_at("ops-work-objection-assisted")
        row = next(r for r in d.find_elements(By.CSS_SELECTOR, "tr[id^='objection-']") if number in r.text)
        self.check("已登记协查" in row.text and "需协查，7 个工作日" in row.text
                   and not row.find_elements(By.CSS_SELECTOR, "form[action$='/assist']"),
                   "marked 协查, the objection's limit is the assisted one and the form is no longer offered")
        text = self.page(objection_status, "objection-status-assisted")
        self.check("办理时限已相应延长" in text, "the person reads that the time limit was extended for 协查")
        self.page(PROVINCE_OPS + "/ops/work#objections", "ops-work-objections-to-close")
        row = next(r for r in d.find_elements(By.CSS_SELECTOR, "tr[id^='objection-']") if number in r.text)
        row.find_element(By.TAG_NAME, "summary").click()
        row.find_element(By.CSS_SELECTOR, "input[name='outcome'][value='kept']").click()
        row.find_element(By.NAME, "reason").send_keys("经核查，决定书文号与原件一致。")
        row.find_element(By.NAME, "unit").send_keys("仙桃市市场监督管理局")
        self.looked_at("ops-work-objection-close")
        self.submit(row.find_element(By.CSS_SELECTOR, "button[type='submit']"))
        text = self.looked_at("ops-work-objection-closed")
        self.check(number not in "".join(r.text for r in d.find_elements(By.CSS_SELECTOR, "tr[id^='objection-']")),
                   "closed from the page, the objection leaves the list")
        text = self.page(objection_status, "objection-status-closed")
        self.check("已办结" in text and "维持原记录" in text, "the person reads the outcome with their code")
        text = self.page(PROVINCE + fresh["recordLink"], "province-record-objection-closed")
        self.check("办结：经核查记录无误，维持原记录" in text and "仙桃市市场监督管理局" in text,
                   "the record's page publishes the objection's decision")
        self.check(not self.json(PROVINCE + fresh["recordLink"])["record"]["objected"], "the province's portal no longer shows 异议处理中")

        # A credit repair application (信用修复申请) on the province's portal for a penalty whose
        # minimum publicity period has passed; granted from the work queue with the repair
        # notice's number: the record leaves the portal, and the status page says 准予修复.
        def repairable(row):
            if row["record"]["objected"]:
                return False
            repair = self.json(PROVINCE + row["recordLink"]).get("repair")
            return bool(repair and repair.get("open"))

        penalty_rows = self.json(PROVINCE + "/publicity/penalty")["rows"]
        target = next(r for r in penalty_rows if r["recordLink"] != fresh["recordLink"] and repairable(r))
        self.page(PROVINCE + target["recordLink"], "repair-form")
        form = self.fill("/repairs", "某某商贸有限公司", "027-88886666", "罚款已于十月全额缴纳，违法行为已整改。")
        # Without the undertaking the browser itself holds the form back (required); ticked, it goes.
        form.find_element(By.NAME, "undertaking").click()
        self.submit(form)
        text = self.looked_at("repair-received")
        self.check("已收到您的信用修复申请" in text and "查询码" in text, "the repair application is taken with a follow-up code")
        d.find_element(By.LINK_TEXT, "办理进度").click()
        repair_status = d.current_url
        text = self.page(PROVINCE_OPS + "/ops/work", "ops-work-repair")
        self.check("信用修复申请" in text and "027-88886666" in text, "the work queue lists the repair application")
        d.find_element(By.NAME, "notice").send_keys("鄂信修〔2026〕1号")
        self.submit(d.find_element(By.CSS_SELECTOR, "form[action$='/repair'] button"))
        text = self.looked_at("ops-work-repaired")
        self.check("没有待办理的公众申请" in text and "鄂信修〔2026〕1号" in text, "granted from the page, the repair is listed with its notice")
        self.page(PROVINCE + target["recordLink"], "repaired-record", status=404)
        text = self.page(repair_status, "repair-status-granted")
        self.check("准予修复" in text and "027-88886666" not in text, "the requester's status page says 准予修复")

        # /metrics as Prometheus scrapes it (mutual TLS, a node's certificate), checked by promtool.
        certs = os.path.join(self.out, "certs")
        ctx = ssl.create_default_context(cafile=os.path.join(certs, "429004000000", "ca.pem"))
        ctx.load_cert_chain(os.path.join(certs, "429004000000", "node.pem"), os.path.join(certs, "429004000000", "node.key"))
        ctx.check_hostname = False
        with urllib.request.urlopen("https://127.0.0.1:7800/metrics", context=ctx, timeout=30) as r:
            scrape = r.read()
        with open(os.path.join(self.out, "metrics.txt"), "wb") as f:
            f.write(scrape)
        checked = subprocess.run(["promtool", "check", "metrics"], input=scrape, capture_output=True)
        self.check(checked.returncode == 0, f"promtool check metrics passes on a scrape {checked.stdout.decode()}{checked.stderr.decode()}".strip())
        self.check(b'creditnet_kind_late_records{node="420000000000",kind="penalty"}' in scrape, "the scrape has the four rates' figures per kind")

        # The records behind a figure: a region's late records, one click from the table.
        d.get(PROVINCE_OPS + "/ops/quality")
        late_link = d.find_element(By.CSS_SELECTOR, "a[href*='/ops/records?region=']")
        late_link.click()
        text = self.looked_at("ops-records")
        self.check("记录明细" in text, "a figure opens the records behind it")

        # A department's register uploaded with the form: one decision altered, one never reported.
        penalty = next(r for r in rows if r["record"]["documentNumber"] and r["record"]["decisionDate"])["record"]
        authority = penalty["key"].split("|")[1]
        y, m, dd = penalty["decisionDate"].split("-")
        altered = f"{y}-{m}-{'02' if dd == '01' else '01'}"
        register = os.path.abspath(os.path.join(self.out, "register.csv"))
        with open(register, "w", encoding="gb18030") as f:
            f.write("决定书文号,决定日期\n")
            f.write(f"{penalty['documentNumber']},{altered}\n")
            f.write("仙桃城管罚〔2026〕99999号,2026-11-02\n")
        self.page(PROVINCE_OPS + "/ops/reconcile", "ops-reconcile-form")
        d.find_element(By.NAME, "register").send_keys(register)
        d.find_element(By.NAME, "authority").send_keys(authority)
        self.submit(d.find_element(By.NAME, "authority"))
        text = self.looked_at("ops-reconcile-report")
        self.check("比对结果" in text and "仙桃城管罚〔2026〕99999号" in text, "the register's missing decision is named (漏报)")
        self.check(penalty["documentNumber"] in text and f"决定日期: {altered}" in text, "the altered decision is named with its date (错报)")

        self.phone()
        self.care_view()
        self.site_cluster()
        self.network_health()

    def authorised_query(self):
        """授权查询: village credit points, which only a party the person authorised may see. The
        village ingests some; its office issues an authorisation on /ops/authorisations (the code
        shown once, on the 授权书); the party queries the village's portal with the person's ID
        number and that code; a wrong code is refused; the public never sees the points."""
        d = self.driver
        config = os.path.join(self.net, VILLAGE_CODE, "node.yaml")
        points = os.path.join(self.out, "points.csv")
        self.run("generate", "--config", config, "--kind", "points", "--rows", "12", "--seed", "11", "--faults", "0", "--out", points)
        self.run("ingest", points, "--kind", "points", "--config", config)
        with open(points, encoding="utf-8-sig", newline="") as f:
            row = next(r for r in csvfile.DictReader(f) if r["行政相对人类别"] == "自然人")
        person_id, person = row["证件号码"], row["行政相对人名称"]
        self.page(VILLAGE_OPS + "/ops/authorisations", "ops-authorisations")
        d.find_element(By.NAME, "subject").send_keys(person_id)
        d.find_element(By.NAME, "grantee").send_keys("湖北仙桃农村商业银行沙嘴支行")
        d.find_element(By.NAME, "purpose").send_keys("信易贷贷款审查")
        self.submit(d.find_element(By.NAME, "purpose"))
        text = self.looked_at("ops-authorisation-issued")
        code = d.find_element(By.CSS_SELECTOR, ".warrant .code").text
        self.check("信用信息查询授权书" in text and re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", code) is not None,
                   f"the office issues an authorisation and prints its code once ({code})")
        self.check(person in text and person_id not in text, "the 授权书 names the person, the ID number masked")
        # The party the person authorised, on the village's portal.
        self.page(VILLAGE + "/", "village-home")
        d.find_element(By.LINK_TEXT, "授权查询").click()
        d.find_element(By.NAME, "subject").send_keys(person_id)
        d.find_element(By.NAME, "code").send_keys(code.lower())
        self.submit(d.find_element(By.NAME, "code"))
        text = self.looked_at("authorised")
        self.check("授权查询结果" in text and "信用积分" in text and "湖北仙桃农村商业银行沙嘴支行" in text,
                   "the authorised party sees the person's credit points with the authorisation's terms")
        self.check(person_id not in text and person_id[:6] + "********" in text, "the person's ID number is masked in the answer")
        # A wrong code: refused, saying so.
        d.find_element(By.NAME, "subject").send_keys(person_id)
        d.find_element(By.NAME, "code").send_keys("ABCD-EFGH-JKMN")
        self.submit(d.find_element(By.NAME, "code"))
        text = self.looked_at("authorised-refused", expected="status of 404")
        self.check("没有与该主体代码和授权码相符的授权" in text and "授权查询结果" not in text and "信用户等级" not in text, "a wrong code is refused and shows nothing")
        # The list counts the query; the public's pages never show the points.
        listed = self.json(VILLAGE_OPS + "/ops/authorisations")
        self.check(listed["current"][0]["uses"] == 1, "the office sees the query counted")
        home = self.json(VILLAGE + "/")
        self.check(all(c["kind"] != "points" for c in home["counts"]), "the village's public counts leave the points out")

    def government_lookup(self):
        """政务共享: the village's office looks up a subject's whole file for a stated reason — its
        信用评价 grades, which the public never sees — and the look-up is listed."""
        d = self.driver
        config = os.path.join(self.net, VILLAGE_CODE, "node.yaml")
        ratings = os.path.join(self.out, "rating.csv")
        self.run("generate", "--config", config, "--kind", "rating", "--rows", "6", "--seed", "12", "--faults", "0", "--out", ratings)
        self.run("ingest", ratings, "--kind", "rating", "--config", config)
        with open(ratings, encoding="utf-8-sig", newline="") as f:
            row = next(csvfile.DictReader(f))
        code = row["统一社会信用代码"] or row["证件号码"]
        self.page(VILLAGE_OPS + "/ops/subjects", "ops-subjects")
        d.find_element(By.NAME, "subject").send_keys(code)
        d.find_element(By.NAME, "purpose").send_keys("行政许可审查")
        self.submit(d.find_element(By.NAME, "purpose"))
        text = self.looked_at("ops-subject-file")
        grades = [e.text for e in d.find_elements(By.CSS_SELECTOR, "td.grade")]
        self.check(row["行政相对人名称"] in text and row["评价等级"] in grades, f"the office sees the subject's grade {row['评价等级']} ({grades})")
        self.check("行政许可审查" in d.find_elements(By.CSS_SELECTOR, "table.grid")[-1].text, "the look-up is listed with its reason")
        home = self.json(VILLAGE + "/")
        self.check(all(c["kind"] != "rating" for c in home["counts"]), "the public's counts leave the grades out")

    def department_upload(self):
        """数据报送: the village's office sends a department's spreadsheet (GB18030, Chinese
        headers, twelve rows of which two are bad) from /ops/upload; the good rows are stored, the bad ones listed with
        why, and the village's collection counts the new records."""
        d = self.driver
        config = os.path.join(self.net, VILLAGE_CODE, "node.yaml")
        before = self.json(VILLAGE_OPS + "/ops/")["totals"]["records"]
        utf8 = os.path.join(self.out, "upload-utf8.csv")
        self.run("generate", "--config", config, "--kind", "penalty", "--rows", "12", "--seed", "13", "--faults", "0", "--out", utf8)
        with open(utf8, encoding="utf-8-sig", newline="") as f:
            rows = list(csvfile.reader(f))
        header = rows[0]
        rows[4][header.index("行政相对人名称")] = ""
        rows[9][header.index("处罚决定日期")] = "2026-13-01"
        upload = os.path.join(self.out, "沙嘴村12月处罚.csv")
        with open(upload, "w", encoding="gb18030", newline="") as f:
            csvfile.writer(f, lineterminator="\r\n").writerows(rows)
        self.page(VILLAGE_OPS + "/ops/upload", "ops-upload")
        Select(d.find_element(By.NAME, "kind")).select_by_visible_text("行政处罚")
        d.find_element(By.NAME, "records").send_keys(os.path.abspath(upload))
        self.submit(d.find_element(By.CSS_SELECTOR, "form.reconcile button[type=submit]"))
        text = self.looked_at("ops-upload-done")
        lines = [e.text for e in d.find_elements(By.CSS_SELECTOR, ".upload-outcome table.grid td:first-child")]
        self.check("报送结果" in text and "GB18030" in text and "沙嘴村12月处罚.csv" in text and "送往上级节点" in text,
                   "the office sees what its upload did, and that the village sends it up")
        self.check(lines == ["5", "10"], f"the two bad rows are listed by line with why ({lines})")
        after = self.json(VILLAGE_OPS + "/ops/")["totals"]["records"]
        self.check(after == before + 10, f"the ten good rows are counted at the village ({before} → {after})")

    def commitments_follow_up(self):
        """信用承诺履约: the village's departments send their commitments; the office's /ops/commitments
        counts them by accepting unit, kept, broken and unchecked, and lists those to follow up; one
        unit's list is opened from the table, and the list downloaded for the units."""
        d = self.driver
        config = os.path.join(self.net, VILLAGE_CODE, "node.yaml")
        path = os.path.join(self.out, "commitments.csv")
        self.run("generate", "--config", config, "--kind", "commitment", "--rows", "600", "--seed", "19", "--faults", "0", "--out", path)
        # Numbered from 900001 each day: a county's units never give one code twice, and `load`
        # gave the first numbers of these days to the other nodes' commitments.
        with open(path, encoding="utf-8-sig", newline="") as f:
            rows = list(csvfile.reader(f))
        code = rows[0].index("承诺编码")
        for i, row in enumerate(rows[1:]):
            row[code] = row[code][:14] + str(900001 + i)
        with open(path, "w", encoding="utf-8", newline="") as f:
            csvfile.writer(f, lineterminator="\r\n").writerows(rows)
        before = self.json(VILLAGE_OPS + "/ops/commitments?format=json")["ledger"]["total"]["commitments"]
        self.run("ingest", path, "--kind", "commitment", "--config", config)
        ledger = self.json(VILLAGE_OPS + "/ops/commitments?format=json")["ledger"]
        total = ledger["total"]
        self.check(total["commitments"] == before + 600 and sum(a["commitments"] for a in ledger["acceptors"]) == total["commitments"],
                   f"every commitment is counted once, by its accepting unit ({before} → {total['commitments']})")
        self.check(total["broken"] > 0 and total["overdue"] > 0, f"some commitments were broken ({total['broken']}), some never checked ({total['overdue']})")
        text = self.page(VILLAGE_OPS + "/ops/commitments", "ops-commitments")
        self.check("信用承诺履约" in text and "待跟进的承诺" in text and total["keptRate"] in text, "the office's page shows the rate kept and the list to follow up")
        first = ledger["acceptors"][0]
        d.find_element(By.LINK_TEXT, first["name"]).click()
        text = self.looked_at("ops-commitments-unit")
        rows = d.find_elements(By.CSS_SELECTOR, "#follow-up ~ .table-scroll tbody tr")
        self.check("acceptor=" + first["code"] in d.current_url and len(rows) == min(50, first["broken"] + first["overdue"]),
                   f"the unit's own list: {len(rows)} rows for {first['broken']} broken and {first['overdue']} overdue")
        self.check(all(first["name"] in r.text for r in rows), "every row of the unit's list is the unit's")
        link = d.find_element(By.PARTIAL_LINK_TEXT, "下载待跟进清单").get_attribute("href")
        with urllib.request.urlopen(link, timeout=10) as r:
            csv = r.read().decode("utf-8-sig")
        self.check(csv.startswith("承诺编码,承诺日期") and csv.count("\r\n") == 1 + first["broken"] + first["overdue"],
                   "the unit's list downloads as CSV, one line a commitment")

    def government_integrity(self):
        """政务诚信: a 事业单位 (a hospital) fined at the village shows on the office's /ops/integrity as a case
        to follow up, with the body, its category and what closes it; the ledger downloads as CSV."""
        d = self.driver
        config = os.path.join(self.net, VILLAGE_CODE, "node.yaml")
        path = os.path.join(self.out, "hospital-penalty.csv")
        self.run("generate", "--config", config, "--kind", "penalty", "--rows", "6", "--seed", "29", "--faults", "0", "--late", "0", "--out", path)
        with open(path, encoding="utf-8-sig", newline="") as f:
            rows = list(csvfile.reader(f))
        header = rows[0]
        row = next(r for r in rows[1:] if r[header.index("行政相对人类别")] == "法人及非法人组织")
        row[header.index("统一社会信用代码")] = "121200004013590816"
        row[header.index("行政相对人名称")] = "仙桃市第一人民医院"
        with open(path, "w", encoding="utf-8", newline="") as f:
            csvfile.writer(f, lineterminator="\r\n").writerows([header, row])
        before = self.json(VILLAGE_OPS + "/ops/integrity?format=json")["ledger"]
        self.run("ingest", path, "--kind", "penalty", "--config", config)
        ledger = self.json(VILLAGE_OPS + "/ops/integrity?format=json")["ledger"]
        cases = [c for c in ledger["cases"] if c["code"] == "121200004013590816"]
        self.check(len(ledger["cases"]) == len(before["cases"]) + 1 and len(cases) == 1 and cases[0]["category"] == "事业单位",
                   f"the hospital's penalty is a case of a 事业单位 ({len(before['cases'])} → {len(ledger['cases'])})")
        text = self.page(VILLAGE_OPS + "/ops/integrity", "ops-integrity")
        self.check("政务诚信" in text and "仙桃市第一人民医院" in text and "销号" in text, "the office's ledger names the body and what closes its case")
        link = d.find_element(By.PARTIAL_LINK_TEXT, "下载督办台账").get_attribute("href")
        with urllib.request.urlopen(link, timeout=10) as r:
            csv = r.read().decode("utf-8-sig")
        self.check(csv.startswith("机构名称,统一社会信用代码") and "仙桃市第一人民医院" in csv, "the ledger downloads as CSV")

    def joint_feedback(self):
        """联合奖惩执行反馈: the village's units send what they did after checking subjects against the
        lists; the office's /ops/feedback counts the month's feedback by region, unit and list, and
        the same feedback reaches the province's page; the month's CSV downloads."""
        d = self.driver
        config = os.path.join(self.net, VILLAGE_CODE, "node.yaml")
        path = os.path.join(self.out, "feedback.csv")
        self.run("generate", "--config", config, "--kind", "feedback", "--rows", "40", "--seed", "23", "--faults", "0", "--late", "0", "--out", path)
        before = self.json(PROVINCE_OPS + "/ops/feedback")["ledger"]["total"]["feedback"]
        self.run("ingest", path, "--kind", "联合奖惩执行反馈", "--config", config)
        ledger = self.json(VILLAGE_OPS + "/ops/feedback")["ledger"]
        total = ledger["total"]
        self.check(total["feedback"] > 0 and total["sanctions"] + total["rewards"] == total["feedback"]
                   and sum(u["feedback"] for u in ledger["units"]) == total["feedback"],
                   f"the village's month counts its units' feedback once ({total['feedback']})")
        text = self.page(VILLAGE_OPS + "/ops/feedback", "ops-feedback")
        self.check("联合奖惩" in text and "按执行单位" in text and "执行反馈" in text, "the office's page shows the month's feedback")
        link = d.find_element(By.PARTIAL_LINK_TEXT, "下载 CSV").get_attribute("href")
        with urllib.request.urlopen(link, timeout=10) as r:
            csv = r.read().decode("utf-8-sig")
        self.check(csv.startswith("反馈编号,执行日期,奖惩类别") and len(csv.strip().split("\r\n")) == 1 + total["feedback"],
                   "the month's feedback downloads as CSV, a line each")
        self.wait_for(
            "the feedback reaching the province",
            lambda: self.json(PROVINCE_OPS + "/ops/feedback")["ledger"]["total"]["feedback"] >= before + total["feedback"],
            seconds=120,
        )
        self.page(PROVINCE_OPS + "/ops/feedback", "ops-feedback-province")

    def typical_case(self):
        """联合奖惩典型案例: the village's office picks a unit's feedback on /ops/cases, writes its title
        and summary on the form — refused first for a publisher's code that is not one, what was
        typed kept — and publishes it; the case shows on the village's portal (/cases, its own page,
        the home page) and, once it travelled up, on the province's."""
        d = self.driver
        self.page(VILLAGE_OPS + "/ops/cases", "ops-cases")
        offered = self.json(VILLAGE_OPS + "/ops/cases")["candidates"]
        self.check(len(offered) > 0 and all(c["item"]["published"] is False for c in offered),
                   f"the office is offered its units' feedback applied ({len(offered)})")
        d.find_element(By.LINK_TEXT, "撰写案例").click()
        text = self.looked_at("ops-case-form")
        self.check("依据的执行反馈" in text and d.find_element(By.NAME, "number").get_attribute("value").startswith("AL-"),
                   "the form shows the feedback and proposes a case number")
        title = "仙桃某公司列入失信名单后被依法限制参加政府采购"
        summary = "该公司列入失信名单后参加政府采购投标，采购单位核查信用记录时发现，依法限制其参加，并报送执行反馈。"
        d.find_element(By.NAME, "title").send_keys(title)
        d.find_element(By.NAME, "summary").send_keys(summary)
        d.find_element(By.NAME, "publisher").send_keys("沙嘴一村信用工作站")
        d.find_element(By.NAME, "publisherCode").send_keys("114290041234")
        self.submit(d.find_element(By.NAME, "title"))
        text = self.looked_at("ops-case-refused", expected="status of 400")
        self.check("案例未发布" in text and "发布单位统一社会信用代码" in text and summary in text,
                   "a publisher's code that is not one is refused with why, the summary kept")
        code = d.find_element(By.NAME, "publisherCode")
        code.clear()
        code.send_keys(uscc("12429004", "MB000123"))
        self.submit(d.find_element(By.NAME, "title"))
        text = self.looked_at("ops-case-published")
        self.check("已发布：《" + title + "》" in text and "/ops/cases?published=" in d.current_url, "the case is published and confirmed")
        text = self.page(VILLAGE + "/cases", "village-cases")
        self.check(title in text, "the village's portal shows the case under 典型案例")
        d.find_element(By.LINK_TEXT, title).click()
        text = self.looked_at("village-case")
        self.check(summary in text and "联合奖惩典型案例" in text, "the case's own page holds its summary")
        self.wait_for("the case reaching the province's portal",
                      lambda: any(r["title"] == title for r in self.json(PROVINCE + "/cases")["rows"]), seconds=120)
        text = self.page(PROVINCE + "/", "province-home-case")
        self.check(title in text and "更多典型案例" in text, "the province's home page shows the newest cases")

    def joint_lists(self):
        """联合奖惩 名单推送与响应: the village's subjects newly put on the serious-dishonesty list are
        pushed to its units on /ops/lists, those no unit has answered first (待响应); the tab keeps
        to them and its CSV (the 推送清单) has a line each; the lists reach the province's page."""
        d = self.driver
        config = os.path.join(self.net, VILLAGE_CODE, "node.yaml")
        path = os.path.join(self.out, "blacklist.csv")
        # The feedback's seed: some of the listed subjects are those the units already answered.
        self.run("generate", "--config", config, "--kind", "blacklist", "--rows", "30", "--seed", "23", "--faults", "0", "--late", "0", "--out", path)
        before = self.json(VILLAGE_OPS + "/ops/lists")["ledger"]["total"]["listed"]
        self.run("ingest", path, "--kind", "严重失信主体名单", "--config", config)
        ledger = self.json(VILLAGE_OPS + "/ops/lists")["ledger"]
        total = ledger["total"]
        self.check(total["listed"] == before + 30 and total["answered"] + total["pending"] == total["listed"]
                   and len(ledger["entries"]) == total["listed"],
                   f"the village's lists hold its new entries, each answered or pending ({total['answered']} answered, {total['pending']} pending)")
        flags = [e["pending"] for e in ledger["entries"]]
        self.check(flags == sorted(flags, reverse=True), "the pending entries come first")
        text = self.page(VILLAGE_OPS + "/ops/lists", "ops-lists")
        self.check("名单推送与响应" in text and "在列主体" in text and "应采取措施" in text, "the office's page pushes the lists to its units")
        d.find_element(By.LINK_TEXT, "待响应").click()
        current = d.find_element(By.CSS_SELECTOR, "ul.tabs a[aria-current='true']").text
        self.check(current == "待响应" and "show=pending" in d.current_url, f"the tab keeps to the pending entries ({current})")
        link = d.find_element(By.PARTIAL_LINK_TEXT, "下载推送清单").get_attribute("href")
        with urllib.request.urlopen(link, timeout=10) as r:
            csv = r.read().decode("utf-8-sig")
        lines = csv.strip().split("\r\n")
        self.check(lines[0].startswith("名单名称,奖惩类别,主体名称") and len(lines) == 1 + total["pending"]
                   and all(line.endswith(",待响应") for line in lines[1:]),
                   "the pending entries download as the list pushed to the units, a line each")
        self.wait_for(
            "the new entries reaching the province's lists",
            lambda: self.json(PROVINCE_OPS + "/ops/lists")["ledger"]["total"]["listed"] >= total["listed"],
            seconds=120,
        )
        self.page(PROVINCE_OPS + "/ops/lists?show=pending", "ops-lists-province")

    def credit_creation(self):
        """三信创建: the village's credit points (rated in the authorisation step) counted as
        households and 信用户 by level, no one's points shown; the same households at the
        province once they travelled, the year chosen on the form."""
        d = self.driver
        village = self.json(VILLAGE_OPS + "/ops/creation")["ledger"]
        total = village["total"]
        self.check(total["households"] > 0 and total["creditHouseholds"] == sum(total["levels"]) and total["creditHouseholds"] <= total["households"],
                   f"the village's households rated in {village['year']} and its 信用户 by level ({total['households']}, {total['creditHouseholds']})")
        text = self.page(VILLAGE_OPS + "/ops/creation", "ops-creation")
        self.check("三信创建" in text and "信用户占比" in text, "the office's page counts the households")
        year = village["year"]
        self.wait_for(
            "the village's ratings reaching the province",
            lambda: self.json(PROVINCE_OPS + f"/ops/creation?year={year}")["ledger"]["total"]["households"] >= total["households"],
            seconds=120,
        )
        d.get(PROVINCE_OPS + "/ops/creation")
        Select(d.find_element(By.NAME, "year")).select_by_value(str(year))
        self.submit(d.find_element(By.CSS_SELECTOR, "form.filters button"))
        self.check(f"year={year}" in d.current_url, f"the form chooses the year ({d.current_url})")
        self.looked_at("ops-creation-province")

    def graded_supervision(self):
        """信用分级分类监管: the village's departments send their credit ratings (A to D) and their
        inspections of the same subjects; the office's /ops/supervision counts each grade's subjects
        and the inspections after their rating, no subject named; the same at the province once
        they travelled, and the grades as CSV, a line each."""
        config = os.path.join(self.net, VILLAGE_CODE, "node.yaml")
        for kind, name, rows in [("rating", "信用评价", 40), ("inspection", "行政监督检查", 80)]:
            path = os.path.join(self.out, kind + ".csv")
            self.run("generate", "--config", config, "--kind", kind, "--rows", str(rows), "--seed", "29", "--faults", "0", "--late", "0", "--out", path)
            self.run("ingest", path, "--kind", name, "--config", config)
        village = self.json(VILLAGE_OPS + "/ops/supervision")["ledger"]
        grades = village["grades"]
        self.check(village["rated"] > 0 and sum(g["subjects"] for g in grades) == village["rated"]
                   and all(g["inspected"] <= g["subjects"] for g in grades) and sum(g["inspected"] for g in grades) > 0,
                   f"the village's rated subjects each counted once by grade, some inspected after their rating ({village['rated']})")
        text = self.page(VILLAGE_OPS + "/ops/supervision", "ops-supervision")
        self.check("分级分类监管" in text and "按信用等级" in text and "按评价领域" in text, "the office's page shows the grades and the fields")
        year = village["year"]
        self.wait_for(
            "the village's ratings reaching the province",
            lambda: self.json(PROVINCE_OPS + f"/ops/supervision?year={year}")["ledger"]["rated"] >= village["rated"],
            seconds=120,
        )
        self.page(PROVINCE_OPS + f"/ops/supervision?year={year}", "ops-supervision-province")
        with urllib.request.urlopen(PROVINCE_OPS + f"/ops/supervision?year={year}&format=csv", timeout=10) as r:
            lines = r.read().decode("utf-8-sig").strip().split("\r\n")
        self.check(lines[0].startswith("评价年度,信用等级,主体数") and [l.split(",")[1] for l in lines[1:]] == ["A", "B", "C", "D"],
                   "the grades download as CSV, A to D")

    def repair_outreach(self):
        """信用修复提醒: the province's penalties and listings still shown whose minimum publicity period
        is over, by deciding authority, and the list of subjects to remind as CSV, a line each, no
        ID number whole."""
        ledger = self.json(PROVINCE_OPS + "/ops/repair")["ledger"]
        total = ledger["total"]
        self.check(total["inForce"] > 0 and total["due"] <= total["inForce"]
                   and sum(a["due"] for a in ledger["authorities"]) == total["due"],
                   f"the province's records repairable now counted by authority ({total['due']} of {total['inForce']})")
        text = self.page(PROVINCE_OPS + "/ops/repair", "ops-repair")
        self.check("信用修复提醒" in text and "按决定机关" in text, "the office's page lists the records repairable by authority")
        link = self.driver.find_element(By.PARTIAL_LINK_TEXT, "下载提醒名单").get_attribute("href")
        with urllib.request.urlopen(link, timeout=10) as r:
            csv = r.read().decode("utf-8-sig")
        lines = csv.strip().split("\r\n") if csv.strip() else []
        self.check(lines[0].startswith("主体名称,主体代码,类别") and len(lines) == 1 + total["due"] and WHOLE_ID.search(csv) is None,
                   "the subjects to remind download as CSV, a line each, no ID number whole")

    def former_codes(self):
        """新旧代码映射: an individual business's penalty filed under its registration number alone
        joins its credit code's page and report once another record gives both codes; the public
        finds it by the old number; the office's /ops/codes counts what is still to convert."""
        config = os.path.join(self.net, VILLAGE_CODE, "node.yaml")
        path = os.path.join(self.out, "former.csv")
        self.run("generate", "--config", config, "--kind", "penalty", "--rows", "3", "--seed", "33", "--faults", "0", "--late", "0",
                 "--header", "codes", "--out", path)
        code = uscc("92429004", "MA4K0W3B")
        refile_as_businesses(path, [("仙桃市沙嘴张记小吃店", code, "429004600012345", "仙桃市监罚〔2026〕8801号"),
                                    ("仙桃市沙嘴张记小吃店", "", "429004600012345", "仙桃市监罚〔2026〕8802号"),
                                    ("仙桃市沙嘴李记五金店", "", "429004600054321", "仙桃市监罚〔2026〕8803号")])
        self.run("ingest", path, "--kind", "penalty", "--config", config)
        found = self.json(VILLAGE + "/search?q=429004600012345")
        self.check([h["code"] for h in found["hits"]] == [code] and code in (found.get("formerNote") or ""),
                   "the old registration number finds the business under its credit code")
        self.page(VILLAGE + "/search?q=429004600012345", "search-former-code")
        subject = self.json(VILLAGE + "/subjects/" + code)
        numbers = [r["record"]["documentNumber"] for r in subject["records"]]
        self.check("仙桃市监罚〔2026〕8802号" in numbers and "工商注册号 429004600012345" in subject["formerCodes"],
                   "the penalty filed under the registration number is on the credit code's page")
        self.page(VILLAGE + "/subjects/" + code, "subject-former-codes")
        old = self.json(VILLAGE + "/subjects/429004600012345")
        self.check(old.get("currentCode") == code, "the subject filed under the old number points to its credit code")
        self.wait_for(
            "the mapping derived again at the province from the records that travelled",
            lambda: [h["code"] for h in self.json(PROVINCE + "/search?q=429004600012345")["hits"]] == [code],
            seconds=120,
        )
        conversion = self.json(VILLAGE_OPS + "/ops/codes")["conversion"]
        self.check(conversion["total"]["filed"] >= 2 and conversion["total"]["mapped"] >= 1 and conversion["total"]["unmapped"] >= 1,
                   f"the office counts the records filed under former codes ({conversion['total']})")
        text = self.page(VILLAGE_OPS + "/ops/codes", "ops-codes")
        self.check("新旧代码转换" in text and "429004600054321" in text, "the office's page lists the record still to convert")

    def corrected_area(self):
        """A 错报 of the area: the township decided a penalty about the village, then corrects its
        所属行政区划 to the other village. The first village keeps the corrected version: its page
        says where the record lies now and offers no objection or repair form there."""
        config = os.path.join(self.net, TOWNSHIP_CODE, "node.yaml")
        path = os.path.join(self.out, "moved.csv")
        self.run("generate", "--config", config, "--kind", "penalty", "--rows", "1", "--seed", "37", "--faults", "0", "--late", "0",
                 "--header", "codes", "--jurisdiction", VILLAGE_CODE, "--out", path)
        set_fields(path, [{"CF_WSH": "沙嘴城管罚〔2026〕9901号"}])
        self.run("ingest", path, "--kind", "penalty", "--config", config)
        with open(path, encoding="utf-8-sig", newline="") as f:
            row = next(csvfile.DictReader(f))
        village = os.path.join(self.net, VILLAGE_CODE, "node.yaml")
        found = {}

        def held():
            records = json.loads(self.run("query", row["CF_XDR_SHXYM"] or row["CF_XDR_ZJHM"], "--config", village, "--json"))["records"]
            mine = [r for r in records if r.get("CF_WSH") == "沙嘴城管罚〔2026〕9901号"]
            if mine:
                found["key"] = mine[0]["recordKey"]
                found["link"] = "/records/" + urllib.parse.quote(mine[0]["recordKey"], safe="")
            return bool(mine)

        if not self.wait_for("the township's penalty reaching the village", held):
            return
        link = found["link"]
        self.check("action=\"/objections\"" in self.page(VILLAGE + link, "record-before-correction"),
                   "before the correction the village's page takes objections")
        decided = self.json(VILLAGE + link)["record"]["decisionDate"]
        listing = VILLAGE + "/publicity/penalty?from=" + decided + "&to=" + decided

        def listed():
            return found["key"] in [r["record"]["key"] for r in self.json(listing)["rows"]]

        self.check(listed(), "before the correction the village's 双公示 listing has the penalty")
        # A company objects on the village's portal before the correction arrives.
        d = self.driver
        d.get(VILLAGE + link)
        self.submit(self.fill("/objections", "王梓涵", "13500000000", "处罚对象所在村有误。"))
        d.find_element(By.LINK_TEXT, "办理进度").click()
        status_url = d.current_url
        set_fields(path, [{"CF_XZQH": SHORT_WINDOW_VILLAGE}])
        self.run("ingest", path, "--kind", "penalty", "--config", config)
        self.wait_for(
            "the correction reaching the village the record left",
            lambda: self.json(VILLAGE + link)["record"]["jurisdiction"] == SHORT_WINDOW_VILLAGE,
        )
        page = self.json(VILLAGE + link)
        self.check((page.get("movedTo") or {}).get("code") == SHORT_WINDOW_VILLAGE, "the page says which area the record lies in now")
        text = self.page(VILLAGE + link, "record-corrected-elsewhere")
        self.check("所属行政区划已更正为" in text and "action=\"/objections\"" not in text and "action=\"/repairs\"" not in text,
                   "the village's page shows the corrected record without objection or repair forms")
        self.check("已更正为 <strong>湖北省仙桃市沙嘴街道沙嘴二村（" + SHORT_WINDOW_VILLAGE + "）</strong>" in text,
                   "the page names the area the record moved to, which the village knows only from the directory")
        self.check(not listed(), "the village's 双公示 listing no longer has the penalty: the area it names publishes it")
        # The request that came before the correction: the office can only refuse it now, the
        # reason written to send the company to the area that holds the record; it reads that.
        text = self.page(status_url, "objection-status-pending-moved")
        self.check("已更正为 <strong>湖北省仙桃市沙嘴街道沙嘴二村（" + SHORT_WINDOW_VILLAGE + "）</strong>，不在本地区，本站不能受理" in text,
                   "the company reads at once with its code that its request goes to the other area")
        text = self.page(VILLAGE_OPS + "/ops/work", "ops-work-request-moved")
        self.check("所属行政区划已更正为 <strong>湖北省仙桃市沙嘴街道沙嘴二村（" + SHORT_WINDOW_VILLAGE + "）</strong>，不在本地区" in text,
                   "the work queue says the record of a pending request moved away")
        section = d.find_element(By.XPATH, "//section[p[contains(., '不在本地区')]]")
        form = section.find_element(By.CSS_SELECTOR, "form[action$='/refuse']")
        reason = form.find_element(By.NAME, "reason").get_attribute("value")
        self.check(reason.startswith("这条信息的所属行政区划已更正为湖北省仙桃市沙嘴街道沙嘴二村"), f"the refusal's reason is written: {reason!r}")
        self.check(not section.find_elements(By.CSS_SELECTOR, "form[action$='/accept']"), "no form accepts it here")
        self.submit(form.find_element(By.CSS_SELECTOR, "button"))
        text = self.page(status_url, "objection-status-moved")
        self.check("不予受理" in text and "沙嘴二村" in text, "the company reads why and where to go with its code")

    def incentive_scenarios(self):
        """“信易+”: the village's departments publish incentive scenarios for trustworthy subjects;
        the public reads them on /incentives, tagged by 激励类别; the office counts them against the
        target of 15; the province's portal shows them once they travelled."""
        config = os.path.join(self.net, VILLAGE_CODE, "node.yaml")
        path = os.path.join(self.out, "incentives.csv")
        self.run("generate", "--config", config, "--kind", "incentive", "--rows", "4", "--seed", "35", "--faults", "0", "--late", "0", "--out", path)
        self.run("ingest", path, "--kind", "信易+守信激励场景", "--config", config)
        rows = self.json(VILLAGE + "/incentives")["rows"]
        self.check(len(rows) == 4 and all(r["rewarding"] and r["category"] for r in rows),
                   "the village's /incentives lists its four scenarios, each tagged by its 激励类别")
        text = self.page(VILLAGE + "/incentives", "incentives")
        self.check("信易+" in text and rows[0]["title"] in text, "the public page names the scenarios")
        self.driver.find_element(By.CSS_SELECTOR, "nav[aria-label='激励类别'] a[href$='" + urllib.parse.quote(rows[0]["category"]) + "']").click()
        chosen = self.looked_at("incentives-category")
        self.check(rows[0]["title"] in chosen and all(r["category"] == rows[0]["category"]
                   for r in self.json(VILLAGE + "/incentives?category=" + urllib.parse.quote(rows[0]["category"]))["rows"]),
                   "a 激励类别 chosen shows that class's scenarios only")
        ledger = self.json(VILLAGE_OPS + "/ops/incentives")["ledger"]
        self.check(ledger["total"] == 4 and ledger["missing"] == 11 and sum(c["count"] for c in ledger["categories"]) == 4,
                   "the office counts four scenarios, eleven short of fifteen")
        text = self.page(VILLAGE_OPS + "/ops/incentives", "ops-incentives")
        self.check("信易+激励场景" in text and "差 11" in text, "the office's page shows the target and what is missing")
        self.wait_for(
            "the scenarios reaching the province's portal",
            lambda: len(self.json(PROVINCE + "/incentives")["rows"]) >= 4,
            seconds=120,
        )
        self.page(PROVINCE + "/incentives", "incentives-province")

    def credit_news(self):
        """信用动态: the village's office writes an article on /ops/news — refused first for an ID
        number in its text, what was typed kept — and publishes it; the village's home page and
        /news list it, its page reads in paragraphs, a 栏目 chosen keeps to it; the office's page
        counts it against 2 a month; the province's /news shows it once it travelled."""
        d = self.driver
        text = self.page(VILLAGE_OPS + "/ops/news", "ops-news")
        self.check("信用动态" in text and "每月" in text, "the office's page says the monthly share")
        d.find_element(By.LINK_TEXT, "撰写信用动态").click()
        self.looked_at("ops-news-form")
        title = "沙嘴一村印发《村级信用户评定办法》"
        paragraphs = ["经村民代表会议讨论通过，沙嘴一村印发《村级信用户评定办法》。", "办法明确了信用积分的评定项目、加减分标准和信用户的激励措施。"]
        d.find_element(By.NAME, "title").send_keys(title)
        Select(d.find_element(By.NAME, "column")).select_by_visible_text("政策法规")
        body = d.find_element(By.NAME, "body")
        body.send_keys(paragraphs[0] + "\n" + paragraphs[1] + "\n举报电话联系人身份证 " + VALID_ID)
        d.find_element(By.NAME, "documentNumber").send_keys("沙嘴一村发〔2026〕1号")
        d.find_element(By.NAME, "publisher").send_keys("沙嘴一村信用工作站")
        d.find_element(By.NAME, "publisherCode").send_keys(uscc("11429004", "MB000321"))
        self.submit(d.find_element(By.NAME, "title"))
        text = self.looked_at("ops-news-refused", expected="status of 400")
        self.check("稿件未发布" in text and "正文含有身份证号码" in text and VALID_ID not in d.find_element(By.NAME, "body").get_attribute("value"),
                   "an ID number in the text is refused with why, and not shown back whole")
        self.check(d.find_element(By.NAME, "title").get_attribute("value") == title
                   and Select(d.find_element(By.NAME, "column")).first_selected_option.text == "政策法规", "what was typed is kept")
        body = d.find_element(By.NAME, "body")
        body.clear()
        body.send_keys(paragraphs[0] + "\n" + paragraphs[1])
        self.submit(d.find_element(By.NAME, "title"))
        text = self.looked_at("ops-news-published")
        self.check("已发布：《" + title + "》（政策法规" in text and "/ops/news?published=" in d.current_url, "the article is published and confirmed")
        self.check(d.find_element(By.LINK_TEXT, "在信用网站查看").get_attribute("href").startswith(VILLAGE + "/news/"),
                   "the confirmation links the article on the village's own site (the directory's)")
        ledger = self.json(VILLAGE_OPS + "/ops/news")["ledger"]
        self.check(ledger["total"] >= 1 and any(u["name"] == "沙嘴一村信用工作站" and u["missing"] == 1 for u in ledger["units"]),
                   "the office's unit has one of its two this month")
        text = self.page(VILLAGE + "/", "village-home-news")
        self.check(title in text, "the village's home page lists the article under 信用动态")
        d.find_element(By.LINK_TEXT, title).click()
        text = self.looked_at("news-article")
        shown = [p.text for p in d.find_elements(By.CSS_SELECTOR, ".article-body p")]
        self.check(shown == paragraphs and "沙嘴一村发〔2026〕1号" in text, f"the article reads in its two paragraphs with its 文号: {shown}")
        d.find_element(By.LINK_TEXT, "政策法规").click()
        text = self.looked_at("news-column")
        self.check(title in text and all(i["article"]["column"] == "政策法规" for i in self.json(VILLAGE + "/news?column=" + urllib.parse.quote("政策法规"))["items"]),
                   "a 栏目 chosen keeps to it")
        self.wait_for("the article reaching the province's /news",
                      lambda: any(i["article"]["title"] == title for i in self.json(PROVINCE + "/news")["items"]), seconds=120)
        text = self.page(PROVINCE + "/news", "province-news")
        self.check(title in text and "仙桃市" in text, "the province's /news carries the village's article, naming its city")
        # Searched by words (two of the text's, one of two characters), with the form on /news.
        box = d.find_element(By.CSS_SELECTOR, "form.news-search input[name=q]")
        box.send_keys("信用户 激励")
        self.submit(box)
        self.looked_at("news-search")
        text = d.find_element(By.TAG_NAME, "main").text
        marked = [m.text for m in d.find_elements(By.CSS_SELECTOR, ".news-list mark")]
        self.check(title in text and "含“信用户 激励”的信用动态共" in text and "信用户" in marked and "激励" in marked,
                   f"the province's /news finds the article by two words of it, marked: {marked[:6]}")
        self.check("q=" in d.current_url and urllib.parse.quote("信用户") in d.current_url, "the search is a link one can keep (GET)")
        # The article opened from the results: the words marked in it, the way back to them.
        d.find_element(By.CSS_SELECTOR, ".news-list a.row-title").click()
        self.looked_at("news-article-searched")
        marked = [m.text for m in d.find_elements(By.CSS_SELECTOR, ".article-body mark")]
        self.check("信用户" in marked and "激励" in marked and d.find_elements(By.LINK_TEXT, "‹ 返回搜索结果"),
                   f"the article opened from the search marks the words and leads back: {marked}")
        # The site's search box: no subject holds the words, the article does.
        box = d.find_element(By.CSS_SELECTOR, "header form.search input[name=q]")
        box.send_keys("信用户评定")
        self.submit(box)
        self.looked_at("search-articles")
        text = d.find_element(By.TAG_NAME, "main").text
        self.check("没有找到名称含“信用户评定”的信用主体" in text and title in text and "含“信用户评定”的文章" in text,
                   "the site search shows the article under 信用动态 when no subject is named so")
        d.find_element(By.PARTIAL_LINK_TEXT, "篇信用动态").click()
        self.check(d.current_url.startswith(PROVINCE + "/news?q="), "its link leads to the whole search on /news")

    # A phone's screen in CSS pixels (a common 6.1-inch phone), as the public reads on the move.
    PHONE = {"width": 390, "height": 844, "deviceScaleFactor": 2, "mobile": True}

    def dishonesty_reports(self):
        """失信举报: a resident reports a shop on the village's site (nav link 失信举报) — refused
        first for an ID number in the text, what was typed kept and the number not shown back —
        then kept with a follow-up code; the status page says 待受理 with its last day and nothing
        of the reporter; the office reads the report with the reporter on /ops/complaints, hands it
        to a unit and closes it with the finding; the resident reads the finding and the reply."""
        d = self.driver
        # From a company's page, its 举报 link: the form with the company filled in.
        company = next(r for r in self.json(VILLAGE + "/publicity/penalty")["rows"]
                       if not r["record"]["isPerson"] and r["subjectLink"] and is_uscc(r["record"]["subject"]))
        self.page(VILLAGE + company["subjectLink"], "subject-for-report")
        old = d.find_element(By.TAG_NAME, "html")
        d.find_element(By.PARTIAL_LINK_TEXT, "举报该主体的失信行为").click()
        WebDriverWait(d, 30).until(expected_conditions.staleness_of(old))
        self.looked_at("complaint-form-filled")
        self.check(d.find_element(By.NAME, "subject").get_attribute("value") == company["record"]["subjectName"]
                   and d.find_element(By.NAME, "subjectCode").get_attribute("value") == company["record"]["subject"],
                   "a company's page leads to the report form with its name and code filled in")
        self.page(VILLAGE + "/", "village-home-for-report")
        old = d.find_element(By.TAG_NAME, "html")
        d.find_element(By.CSS_SELECTOR, "nav a[href='/complaints']").click()
        WebDriverWait(d, 30).until(expected_conditions.staleness_of(old))
        text = self.looked_at("complaint-form")
        self.check("失信行为举报" in text and "15 个工作日内" in text and "只保存在本站" in text,
                   "the report form says the time limit and how the reporter is protected")
        shop, reporter, phone = "沙嘴一村兴农农资店", "陈玉兰", "13986001234"
        facts = "该店 11 月出售的复合肥养分不足，包装标注与实际不符，多户村民种植的油菜出苗差。"
        d.find_element(By.NAME, "subject").send_keys(shop)
        Select(d.find_element(By.NAME, "category")).select_by_visible_text("产品质量")
        Select(d.find_element(By.NAME, "region")).select_by_index(1)
        d.find_element(By.NAME, "content").send_keys(facts + "店主身份证 " + VALID_ID)
        d.find_element(By.NAME, "reporter").send_keys(reporter)
        d.find_element(By.NAME, "contact").send_keys(phone)
        d.find_element(By.NAME, "truthful").click()
        # A photo of the receipt (举报材料), chosen with the file input.
        receipt = os.path.abspath(os.path.join(self.out, "购买小票.png"))  # a file input takes an absolute path
        receipt_bytes = small_png(receipt)
        d.find_element(By.NAME, "evidence").send_keys(receipt)
        self.submit(d.find_element(By.NAME, "subject"))
        text = self.looked_at("complaint-refused", expected="status of 400")
        self.check("刚才选择的举报材料没有保存" in text, "refused, the form says the chosen photo must be chosen again")
        content = d.find_element(By.NAME, "content").get_attribute("value")
        self.check("举报内容含有身份证号码" in text and VALID_ID not in content and facts in content
                   and d.find_element(By.NAME, "subject").get_attribute("value") == shop,
                   "an ID number in the report is refused with why, what was typed kept but the number")
        box = d.find_element(By.NAME, "content")
        box.clear()
        box.send_keys(facts)
        d.find_element(By.NAME, "truthful").click()
        d.find_element(By.NAME, "evidence").send_keys(receipt)
        self.submit(d.find_element(By.NAME, "subject"))
        text = self.looked_at("complaint-received")
        code = d.find_element(By.CSS_SELECTOR, ".ticket-code").text
        self.check("已收到您的举报" in text and re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", code) is not None,
                   f"the report is kept and its code shown once ({code})")
        old = d.find_element(By.TAG_NAME, "html")
        d.find_element(By.LINK_TEXT, "办理进度").click()
        WebDriverWait(d, 30).until(expected_conditions.staleness_of(old))
        text = self.looked_at("complaint-status-pending")
        self.check("待受理" in text and "答复期限" in text and shop in text and reporter not in text and phone not in text
                   and "举报材料" in text and "1 份" in text and "购买小票" not in text,
                   "the status page says 待受理 and its last day, that one photo came, nothing of the reporter")
        status_url = d.current_url
        # The office.
        text = self.page(VILLAGE_OPS + "/ops/complaints", "ops-complaints")
        self.check(shop in text and f"举报人：{reporter}，{phone}" in text and "待受理" in text, "the office reads the report with its reporter")
        section = d.find_element(By.XPATH, f"//section[contains(@class,'complaint-item')][.//h3[contains(., '{shop}')]]")
        photo = section.find_element(By.CSS_SELECTOR, "ul.evidence a")
        with urllib.request.urlopen(photo.get_attribute("href"), timeout=10) as r:
            downloaded, kind, disposition = r.read(), r.headers["Content-Type"], r.headers["Content-Disposition"]
        self.check("购买小票.png（PNG 图片" in photo.text and downloaded == receipt_bytes and kind == "image/png"
                   and disposition.startswith("attachment"),
                   f"the office downloads the photo as it came: {photo.text}")
        unit = section.find_element(By.NAME, "unit")
        unit.clear()
        unit.send_keys("仙桃市市场监督管理局沙嘴分局")
        self.submit(unit)
        text = self.looked_at("ops-complaint-accepted")
        self.check("承办单位：仙桃市市场监督管理局沙嘴分局" in text, "the report is handed to a unit")
        section = d.find_element(By.XPATH, f"//section[contains(@class,'complaint-item')][.//h3[contains(., '{shop}')]]")
        section.find_element(By.CSS_SELECTOR, "input[name=finding][value=substantiated]").click()
        reply = "经抽样检验，该店复合肥总养分不合格属实，已依法立案查处，并责令下架。"
        section.find_element(By.NAME, "reply").send_keys(reply)
        self.submit(section.find_element(By.NAME, "reply"))
        text = self.looked_at("ops-complaint-closed")
        self.check("已办结：属实" in text and reply in text, "the office closes it with the finding and the reply")
        text = self.page(status_url, "complaint-status-closed")
        self.check("已办结" in text and "属实" in text and reply in text and "仙桃市市场监督管理局沙嘴分局" in text and reporter not in text,
                   "the resident reads the finding and the reply with the code")

    def credit_loans(self):
        """信易贷: a bank's two products published at the village, read on /loans (menu 信易贷);
        a company with a penalty opens one and asks for it — refused first for an amount beyond the
        product's, what was typed kept — then kept with a follow-up code; the status page says 待对接
        and nothing of the person to call; the office reads the request with the person to call and
        what the company authorised the bank to see (its penalty), notes who took it up and the loan
        granted; the company reads the loan with its code."""
        d = self.driver
        config = os.path.join(self.net, VILLAGE_CODE, "node.yaml")
        path = os.path.join(self.out, "loans.csv")
        lender = uscc("91429004", "MA4LN001")
        with open(path, "w", encoding="utf-8") as f:
            f.write("产品编号,产品名称,贷款类别,服务对象,最高额度（万元）,最长期限（月）,利率说明,产品介绍,申请条件,金融机构,金融机构统一社会信用代码,咨询电话,发布日期,有效期至,所属行政区划\n")
            f.write(f"XYD-01,沙嘴信易贷,信用贷款,小微企业、个体工商户,100,36,年化 3.85% 起,纳税和公共信用记录良好的小微企业凭信用申请，无需抵押。,"
                    f"成立满一年，未列入严重失信主体名单,仙桃农商银行沙嘴支行,{lender},0728-3301234,2026-10-08,2027-12-31,{VILLAGE_CODE}\n")
            f.write(f"XYD-02,惠农快贷,保证贷款,农户、家庭农场,30,24,年化 4.35% 起,为种养殖户提供春耕、收购季的周转资金。,"
                    f",仙桃农商银行沙嘴支行,{lender},0728-3301234,2026-10-08,2027-06-30,{VILLAGE_CODE}\n")
        self.run("ingest", path, "--kind", "信易贷", "--config", config)
        # A business (its credit code registered by the market regulator: 9…), not a public body.
        company = next(r for r in self.json(VILLAGE + "/publicity/penalty")["rows"]
                       if not r["record"]["isPerson"] and is_uscc(r["record"]["subject"] or "") and r["record"]["subject"].startswith("9"))
        self.page(VILLAGE + "/", "village-home-for-loans")
        old = d.find_element(By.TAG_NAME, "html")
        d.find_element(By.CSS_SELECTOR, "nav a[href='/loans']").click()
        WebDriverWait(d, 30).until(expected_conditions.staleness_of(old))
        text = self.looked_at("loans")
        self.check("沙嘴信易贷" in text and "惠农快贷" in text and "最高 100 万元、36 个月" in text and "信用贷款" in text,
                   "the village's /loans lists the bank's two products with how much, how long and the kind of loan")
        old = d.find_element(By.TAG_NAME, "html")
        d.find_element(By.PARTIAL_LINK_TEXT, "沙嘴信易贷").click()
        WebDriverWait(d, 30).until(expected_conditions.staleness_of(old))
        self.looked_at("loan-product")
        old = d.find_element(By.TAG_NAME, "html")
        d.find_element(By.PARTIAL_LINK_TEXT, "申请这个信易贷产品").click()
        WebDriverWait(d, 30).until(expected_conditions.staleness_of(old))
        text = self.looked_at("loan-apply")
        chosen = Select(d.find_element(By.NAME, "product")).first_selected_option.text
        self.check("沙嘴信易贷" in chosen and "授权所选金融机构" in text, "the product's page leads to the form with it chosen")
        contact, phone = "刘会计", "13872801234"
        d.find_element(By.NAME, "company").send_keys(company["record"]["subjectName"])
        d.find_element(By.NAME, "companyCode").send_keys(company["record"]["subject"])
        d.find_element(By.NAME, "contactName").send_keys(contact)
        d.find_element(By.NAME, "phone").send_keys(phone)
        d.find_element(By.NAME, "amount").send_keys("200")
        d.find_element(By.NAME, "months").send_keys("12")
        d.find_element(By.NAME, "purpose").send_keys("收购今年的棉花，支付农户货款")
        d.find_element(By.NAME, "authorised").click()
        self.submit(d.find_element(By.NAME, "company"))
        text = self.looked_at("loan-refused", expected="status of 400")
        self.check("超过该产品的最高额度 100 万元" in text and d.find_element(By.NAME, "phone").get_attribute("value") == phone,
                   "an amount beyond the product's is refused with why, what was typed kept")
        amount = d.find_element(By.NAME, "amount")
        amount.clear()
        amount.send_keys("50")
        d.find_element(By.NAME, "authorised").click()
        self.submit(d.find_element(By.NAME, "company"))
        text = self.looked_at("loan-received")
        code = d.find_element(By.CSS_SELECTOR, ".ticket-code").text
        self.check("已收到您的融资需求" in text and re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", code) is not None,
                   f"the request is kept and its code shown once ({code})")
        old = d.find_element(By.TAG_NAME, "html")
        d.find_element(By.LINK_TEXT, "办理进度").click()
        WebDriverWait(d, 30).until(expected_conditions.staleness_of(old))
        text = self.looked_at("loan-status-pending")
        self.check("待对接" in text and "50 万元，12 个月" in text and contact not in text and phone not in text,
                   "the status page says 待对接, nothing of the person to call")
        status_url = d.current_url
        text = self.page(VILLAGE_OPS + "/ops/loans", "ops-loans")
        self.check(f"联系人：{contact}，{phone}" in text and "信用信息（经企业授权）" in text and "公示中的行政处罚" in text,
                   "the office reads the request with the person to call and what the company authorised the bank to see")
        self.check("试点目标：10% 以上" in text and "家提交融资需求并授权金融机构查询信用信息" in text,
                   "the office reads the share of the businesses held here that asked, against the target")
        self.check("通过自有系统对接、自行办理融资需求（入驻）" in text and "目标：50% 以上" in text,
                   "the office reads how many institutions answer from their own systems, against the target")
        section = d.find_element(By.XPATH, "//section[contains(@class,'complaint-item')][.//h3[contains(., '%s')]]" % company["record"]["subject"])
        self.submit(section.find_element(By.XPATH, ".//button[contains(., '查看信用档案')]"))
        text = self.looked_at("ops-loan-credit-file")
        self.check(company["record"]["subjectName"] in text and "信易贷融资需求" in text,
                   "the office opens the applicant's whole file with the request as its reason")
        self.page(VILLAGE_OPS + "/ops/loans", "ops-loans-again")
        section = d.find_element(By.XPATH, "//section[contains(@class,'complaint-item')][.//h3[contains(., '%s')]]" % company["record"]["subject"])
        handler = section.find_element(By.NAME, "handler")
        handler.send_keys("仙桃农商银行沙嘴支行 周经理")
        self.submit(handler)
        text = self.looked_at("ops-loan-contacted")
        self.check("对接人：仙桃农商银行沙嘴支行 周经理" in text, "the office notes who took the request up")
        section = d.find_element(By.XPATH, "//section[contains(@class,'complaint-item')][.//h3[contains(., '%s')]]" % company["record"]["subject"])
        section.find_element(By.NAME, "amount").send_keys("45")
        section.find_element(By.NAME, "note").send_keys("年利率 3.85%，按月付息")
        self.submit(section.find_element(By.NAME, "amount"))
        text = self.looked_at("ops-loan-granted")
        self.check("已放款" in text and "没有待办理的融资需求" in text, "the loan granted leaves the requests to answer")
        text = self.page(status_url, "loan-status-granted")
        self.check("已放款" in text and "45 万元" in text and "周经理" in text and contact not in text,
                   "the company reads the loan granted with its code")

    def phone(self):
        """The public's pages on a phone: nothing wider than the screen (no sideways scrolling),
        text no smaller than 14 px, the search box on every page."""
        d = self.driver
        d.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", self.PHONE)
        try:
            person = next(r for r in self.json(PROVINCE + "/publicity/penalty")["rows"] if r["record"]["isPerson"])
            name = person["record"]["subjectName"]
            pages = [
                ("home", PROVINCE + "/", 200),
                ("search", PROVINCE + "/search?q=" + urllib.parse.quote(name[:2]), 200),
                # A query of 50 letters without a space (the box's most), echoed on the page.
                ("search-long", PROVINCE + "/search?q=" + "W" * 50, 200),
                ("search-number", PROVINCE + "/search?q=" + urllib.parse.quote(person["record"]["documentNumber"]), 200),
                ("subject", PROVINCE + person["subjectLink"], 200),
                ("record", PROVINCE + person["recordLink"], 200),
                ("listing", PROVINCE + "/publicity/penalty", 200),
                ("blacklist", PROVINCE + "/lists/black", 200),
                ("objection-status", PROVINCE + "/objections/status", 200),
                ("verify", PROVINCE + "/verify", 200),
                ("authorised", PROVINCE + "/authorised", 200),
                ("complaint", VILLAGE + "/complaints", 200),
                ("complaint-status", VILLAGE + "/complaints/status", 200),
                ("loans", VILLAGE + "/loans", 200),
                ("loan-apply", VILLAGE + "/loans/apply", 200),
                ("incentives", VILLAGE + "/incentives", 200),
                ("news", PROVINCE + "/news", 200),
                ("news-article", PROVINCE + self.json(PROVINCE + "/news")["items"][0]["link"], 200),
                ("news-search", PROVINCE + "/news?q=" + urllib.parse.quote("信用 评定"), 200),
                ("catalogue", PROVINCE + "/catalogue", 200),
                ("statistics", PROVINCE + "/statistics", 200),
                ("no-such-page", PROVINCE + "/publicity/fines", 404),
            ]
            for shot, url, status in pages:
                self.page(url, "phone-" + shot, status=status)
                wide = d.execute_script("return document.documentElement.scrollWidth")
                self.check(wide <= self.PHONE["width"], f"phone {shot}: nothing wider than the screen ({wide} CSS px of {self.PHONE['width']})")
                size = float(d.execute_script("return parseFloat(getComputedStyle(document.querySelector('main')).fontSize)"))
                self.check(size >= 14, f"phone {shot}: text of {size} px")
                self.check(d.find_elements(By.CSS_SELECTOR, "header form.search input[name=q]"), f"phone {shot}: the search box is there")
        finally:
            d.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})

    def care_view(self):
        """关怀版: chosen with the link at the top of a page (no script), every public page then in
        large type (no text under 18 px) and strong contrast, on a desktop and on a phone, until the
        reader goes back with 标准版."""
        d = self.driver
        listing = PROVINCE + "/publicity/penalty?region=429004000000"
        d.get(listing)
        old = d.find_element(By.TAG_NAME, "html")
        d.find_element(By.CSS_SELECTOR, "header a.mode").click()
        WebDriverWait(d, 30).until(expected_conditions.staleness_of(old))
        text = self.looked_at("care-listing")
        self.check(d.current_url == listing, f"the switch comes back to the page it was on ({d.current_url})")
        self.check(d.execute_script("return document.documentElement.classList.contains('care')") and "标准版" in text,
                   "the listing is in 关怀版, with the way back")
        size = float(d.execute_script("return parseFloat(getComputedStyle(document.body).fontSize)"))
        self.check(size >= 20, f"关怀版's text is 20 px on a desktop ({size} px)")
        person = next(r for r in self.json(PROVINCE + "/publicity/penalty")["rows"] if r["record"]["isPerson"])
        pages = [
            ("home", PROVINCE + "/"), ("search", PROVINCE + "/search?q=" + urllib.parse.quote(person["record"]["subjectName"][:2])),
            ("subject", PROVINCE + person["subjectLink"]), ("record", PROVINCE + person["recordLink"]),
            ("blacklist", PROVINCE + "/lists/black"), ("catalogue", PROVINCE + "/catalogue"), ("statistics", PROVINCE + "/statistics"),
            ("verify", PROVINCE + "/verify"), ("authorised", PROVINCE + "/authorised"), ("objection-status", PROVINCE + "/objections/status"),
            ("news", PROVINCE + "/news"), ("news-article", PROVINCE + self.json(PROVINCE + "/news")["items"][0]["link"]),
            ("news-search", PROVINCE + "/news?q=" + urllib.parse.quote("信用 评定")), ("complaint", PROVINCE + "/complaints"),
            ("loan-apply", VILLAGE + "/loans/apply"),
        ]
        for shot, url in pages:
            self.page(url, "care-" + shot)
            self.check(d.execute_script("return document.documentElement.classList.contains('care')"), f"care {shot}: still 关怀版")
        # The catalogue's fields, folded: opened, they are large too.
        d.get(PROVINCE + "/catalogue#penalty")
        d.find_element(By.CSS_SELECTOR, "#penalty details summary").click()
        self.looked_at("care-catalogue-fields")
        d.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", self.PHONE)
        try:
            for shot, url in [("home", PROVINCE + "/"), ("record", PROVINCE + person["recordLink"]), ("listing", listing),
                              ("statistics", PROVINCE + "/statistics"), ("catalogue", PROVINCE + "/catalogue")]:
                self.page(url, "phone-care-" + shot)
                wide = d.execute_script("return document.documentElement.scrollWidth")
                self.check(wide <= self.PHONE["width"], f"phone care {shot}: nothing wider than the screen ({wide} CSS px of {self.PHONE['width']})")
        finally:
            d.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
        # Back to the standard pages, on the page the reader is on.
        d.get(PROVINCE + "/catalogue")
        old = d.find_element(By.TAG_NAME, "html")
        d.find_element(By.CSS_SELECTOR, "header a.mode").click()
        WebDriverWait(d, 30).until(expected_conditions.staleness_of(old))
        text = self.looked_at("care-back-to-standard")
        self.check(d.current_url == PROVINCE + "/catalogue" and "关怀版" in text
                   and not d.execute_script("return document.documentElement.classList.contains('care')"),
                   "标准版 comes back to the same page in the standard view")

    def site_cluster(self):
        """信用网站互联互通: a village's site links the sites above it in its footer (the province's
        first), the province's home page the sites below it; a search on the village's site that
        finds nothing there is taken to the province's with the same words."""
        d = self.driver
        self.page(VILLAGE + "/", "sites-village-home")
        above = [a.text for a in d.find_elements(By.CSS_SELECTOR, "footer .sites a")]
        self.check(above[:1] == ["信用湖北省"] and "信用仙桃市" in above, f"the village's footer links the sites above it: {above}")
        old = d.find_element(By.TAG_NAME, "html")
        d.find_element(By.CSS_SELECTOR, "footer .sites a").click()
        WebDriverWait(d, 30).until(expected_conditions.staleness_of(old))
        text = self.looked_at("sites-province-home")
        self.check(d.current_url == PROVINCE + "/" and "信用湖北省" in d.title, f"the link opens the province's site ({d.current_url})")
        below = [a.text for a in d.find_elements(By.CSS_SELECTOR, ".sites-below a")]
        self.check("辖区信用网站" in text and below == ["信用仙桃市"], f"the province's home page links the sites below it: {below}")
        # A company of the province's listing that the village does not hold: searched at the
        # village, found at the province.
        # (Any company of the province's will do when every one on its first page is the village's too:
        # the province holds every area's records.)
        here = {r["record"]["subjectName"] for r in self.json(VILLAGE + "/publicity/penalty")["rows"]}
        companies = [r["record"]["subjectName"] for r in self.json(PROVINCE + "/publicity/penalty")["rows"] if not r["record"]["isPerson"]]
        elsewhere = next((c for c in companies if c not in here), companies[0])
        text = self.page(VILLAGE + "/search?q=" + urllib.parse.quote(elsewhere), "sites-village-search")
        self.check("到信用湖北省查询" in text, "the village's search offers the province's")
        old = d.find_element(By.TAG_NAME, "html")
        d.find_element(By.PARTIAL_LINK_TEXT, "到信用湖北省查询").click()
        WebDriverWait(d, 30).until(expected_conditions.staleness_of(old))
        text = self.looked_at("sites-province-search")
        self.check(d.current_url.startswith(PROVINCE + "/search?q=") and elsewhere in text,
                   f"the province's search finds {elsewhere} ({d.current_url})")

    def network_health(self):
        """The province's /ops/network: every node known from the health records that reached it;
        a stopped village goes at risk, then breached, and recovers when started again."""
        d = self.driver
        township = PROVINCE_OPS + "/ops/network?under=" + TOWNSHIP_CODE

        def standing():
            rows = self.json(township)["children"]
            return next((r["standing"] for r in rows if r["code"] == SHORT_WINDOW_VILLAGE), None)

        self.wait_for("every node heard of at the province", lambda: self.json(PROVINCE_OPS + "/ops/network")["under"]["heard"] == 5)
        text = self.page(PROVINCE_OPS + "/ops/network", "ops-network")
        top = self.json(PROVINCE_OPS + "/ops/network")
        self.check("网络运行" in text and "仙桃市" in text and "联通率" in text, "the network page shows the tree with names and the interconnection rate")
        self.check(top["under"]["nodes"] == 5 and top["under"]["interconnection"] == "100.00 %", "five nodes, all heard within their windows")
        self.wait_for("沙嘴二村 met on the province's page", lambda: standing() == "met")
        self.page(PROVINCE_OPS + "/ops/network?q=" + urllib.parse.quote("沙嘴二"), "ops-network-search")
        self.check(d.find_element(By.CSS_SELECTOR, "a[href$='under=" + SHORT_WINDOW_VILLAGE + "']") is not None, "the village is found by a fragment of its name")
        self.run("down", TOPOLOGY, "--dir", self.net, "--node", SHORT_WINDOW_VILLAGE)
        if self.wait_for("the stopped village at risk (40 s of its 60 s window)", lambda: standing() == "at-risk", seconds=75):
            text = self.page(township, "ops-network-at-risk")
            self.check("临近超时" in text, "the township's page says 临近超时 for the stopped village")
        if self.wait_for("the stopped village breached (past its 60 s window)", lambda: standing() == "breached", seconds=45):
            text = self.page(township, "ops-network-breached")
            self.check("已超时" in text, "the township's page says 已超时 for the stopped village")
            rate = self.json(PROVINCE_OPS + "/ops/network")["under"]["interconnection"]
            self.check(rate == "80.00 %", f"the interconnection rate counts it out: {rate}")
        self.run("up", TOPOLOGY, "--dir", self.net, "--certs", os.path.join(self.out, "certs"))
        if self.wait_for("the restarted village met again", lambda: standing() == "met", seconds=60):
            self.page(township, "ops-network-recovered")


def is_uscc(code):
    """Whether `code` is a unified social credit code, its check character right (GB 32100)."""
    if len(code) != 18 or any(c not in ALPHABET for c in code):
        return False
    total = sum(ALPHABET.index(c) * w for c, w in zip(code[:17], [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]))
    return ALPHABET[(31 - total % 31) % 31] == code[17]


def filtered_from(url):
    return urllib.parse.parse_qs(urllib.parse.urlparse(url).query).get("from", [""])[0]


def main():
    node, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    w = Walkthrough(os.path.abspath(node), out)
    try:
        w.start()
        w.walk()
    finally:
        w.stop()
    print(f"{w.shots} screenshots in {out}")
    if w.failures:
        print(f"browser test: {len(w.failures)} check(s) failed", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
