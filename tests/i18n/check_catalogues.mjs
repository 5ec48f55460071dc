#!/usr/bin/env node
// Checks the translation catalogues of a web UI directory (plain node, no npm packages):
//
//   node tests/i18n/check_catalogues.mjs <web-dir>
//
// <web-dir> holds i18n-en.json (the reference), i18n-ru.json and possibly more i18n-<lang>.json:
// flat objects key -> message. Messages use {name} placeholders and the ICU plural subset
// "{n, plural, one {# file} other {# files}}" ('#' is the number, "=0" an exact match).
// Keys starting with "_" are reserved; the only one is "_untranslated_ok": keys whose text may
// stay the same as in English (brand names, "SNMP v2c").
//
// Checks: every catalogue has exactly the reference's keys, no empty messages, well-formed
// messages with the same placeholders per key, plural branches for every plural category of
// the language (Intl.PluralRules), no message left in English (same as en and has Latin letters)
// unless allowed; every key used by the directory's *.js (t('key') with a literal key; a
// computed key is an error) and *.html (data-i18n, data-i18n-<attribute>) exists, and every key
// is used. Heuristics flag text that bypasses the catalogues: string literals passed to the DOM
// helper h(tag, attrs, ...children) as children or as title/placeholder/alt/aria-label, to
// flash/confirm/alert/prompt, new ...Error(...), .append/.replaceChildren/createTextNode,
// assigned to .textContent/.title/.placeholder/document.title...; capitalised English phrases
// anywhere in the scripts; HTML text and text attributes without data-i18n* (translate="no"
// exempts an element, e.g. the brand). On a line with an "// i18n-ignore" comment, text and
// computed keys are not reported (say why in the comment).
//
// Prints "file:line: problem" lines; exit status 0 when clean, 1 on problems, 2 on bad usage.
import fs from 'node:fs';
import path from 'node:path';

const RESERVED = new Set(['_untranslated_ok']);
const problems = [];
const report = (file, line, message) => problems.push(`${file}${line ? ':' + line : ''}: ${message}`);

// --- messages --------------------------------------------------------------------------------

/** Parses one message; returns {placeholders:Set, plurals:[{name, categories}]} or {error}. */
function parseMessage(msg) {
  const placeholders = new Set();
  const plurals = [];
  const walk = (text, depth) => {
    for (let i = 0; i < text.length; i++) {
      const c = text[i];
      if (c === '}') return { error: 'unmatched "}"' };
      if (c !== '{') continue;
      let level = 0;
      let end = -1;
      for (let j = i; j < text.length; j++) {
        if (text[j] === '{') level++;
        else if (text[j] === '}' && --level === 0) { end = j; break; }
      }
      if (end < 0) return { error: 'unmatched "{"' };
      const body = text.slice(i + 1, end);
      i = end;
      const m = body.match(/^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(?:,\s*([a-z]+)\s*,([\s\S]*))?$/);
      if (!m) return { error: `bad placeholder "{${body}}"` };
      placeholders.add(m[1]);
      if (m[2] === undefined) continue;
      if (m[2] !== 'plural') return { error: `unsupported format "${m[2]}" in {${m[1]}, ...}` };
      const categories = [];
      const rest = m[3];
      let k = 0;
      while (k < rest.length) {
        const sel = rest.slice(k).match(/^\s*(=\d+|[a-z]+)\s*\{/);
        if (!sel) {
          if (rest.slice(k).trim() === '') break;
          return { error: `bad plural branch in {${m[1]}, plural, ...}` };
        }
        const open = k + sel[0].length - 1;
        let lvl = 0;
        let close = -1;
        for (let j = open; j < rest.length; j++) {
          if (rest[j] === '{') lvl++;
          else if (rest[j] === '}' && --lvl === 0) { close = j; break; }
        }
        if (close < 0) return { error: 'unmatched "{" in a plural branch' };
        categories.push(sel[1]);
        const inner = walk(rest.slice(open + 1, close), depth + 1);
        if (inner && inner.error) return inner;
        k = close + 1;
      }
      if (categories.length === 0) return { error: `plural {${m[1]}} has no branches` };
      plurals.push({ name: m[1], categories });
    }
    return null;
  };
  const err = walk(msg, 0);
  if (err) return err;
  return { placeholders, plurals };
}

const stripPlaceholders = (msg) => msg.replace(/\{\s*[A-Za-z_][A-Za-z0-9_]*\s*(?=[,}])/g, '{');
const hasLatin = (msg) => /[A-Za-z]/.test(stripPlaceholders(msg).replace(/\b(plural|one|few|many|other|zero|two)\b/g, ''));
const sameSet = (a, b) => a.size === b.size && [...a].every((x) => b.has(x));

function loadCatalogue(file) {
  let data;
  try {
    data = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    report(file, 0, 'not readable JSON: ' + e.message);
    return null;
  }
  if (!data || typeof data !== 'object' || Array.isArray(data)) {
    report(file, 0, 'must be a JSON object of key -> message');
    return null;
  }
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  const lineOf = (key) => {
    const needle = JSON.stringify(key) + ':';
    const i = lines.findIndex((l) => l.includes(needle));
    return i < 0 ? 0 : i + 1;
  };
  const messages = new Map();
  let allow = [];
  for (const [key, value] of Object.entries(data)) {
    if (key.startsWith('_')) {
      if (!RESERVED.has(key)) report(file, lineOf(key), `unknown reserved key "${key}" (only ${[...RESERVED].join(', ')})`);
      else if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
        report(file, lineOf(key), `"${key}" must be a list of keys`);
      } else allow = value;
      continue;
    }
    if (typeof value !== 'string') { report(file, lineOf(key), `"${key}": the message must be a string`); continue; }
    messages.set(key, value);
  }
  return { file, messages, allow, lineOf };
}

function checkCatalogues(dir) {
  const files = fs.readdirSync(dir).filter((f) => /^i18n-[A-Za-z-]+\.json$/.test(f)).sort();
  const byLang = new Map(files.map((f) => [f.slice(5, -5), path.join(dir, f)]));
  for (const lang of ['en', 'ru']) {
    if (!byLang.has(lang)) report(path.join(dir, `i18n-${lang}.json`), 0, 'catalogue missing');
  }
  if (!byLang.has('en')) return null;
  const en = loadCatalogue(byLang.get('en'));
  if (!en) return null;
  const cats = [['en', en]];
  for (const [lang, file] of byLang) {
    if (lang === 'en') continue;
    const c = loadCatalogue(file);
    if (c) cats.push([lang, c]);
  }
  const parsedEn = new Map();
  for (const [lang, cat] of cats) {
    let pluralCats;
    try {
      pluralCats = new Intl.PluralRules(lang).resolvedOptions().pluralCategories;
    } catch (e) {
      report(cat.file, 0, `unknown language "${lang}"`);
      pluralCats = ['other'];
    }
    for (const [key, msg] of cat.messages) {
      const line = cat.lineOf(key);
      if (msg.trim() === '') { report(cat.file, line, `"${key}" is empty`); continue; }
      if (lang !== 'en' && !en.messages.has(key)) { report(cat.file, line, `"${key}" is not in i18n-en.json`); continue; }
      const p = parseMessage(msg);
      if (p.error) { report(cat.file, line, `"${key}": ${p.error}`); continue; }
      for (const pl of p.plurals) {
        for (const need of pluralCats) {
          if (!pl.categories.includes(need)) report(cat.file, line, `"${key}": plural {${pl.name}} lacks the "${need}" form ${lang} needs`);
        }
        for (const have of pl.categories) {
          if (!have.startsWith('=') && !pluralCats.includes(have)) {
            report(cat.file, line, `"${key}": plural {${pl.name}} has "${have}", not a plural category of ${lang}`);
          }
        }
      }
      if (lang === 'en') { parsedEn.set(key, p); continue; }
      const ref = parsedEn.get(key);
      if (ref && !sameSet(ref.placeholders, p.placeholders)) {
        report(cat.file, line, `"${key}": placeholders {${[...p.placeholders].sort().join('}, {')}} differ from English {${[...ref.placeholders].sort().join('}, {')}}`);
      }
      const allowed = cat.allow.includes(key);
      if (msg === en.messages.get(key) && hasLatin(msg) && !allowed) {
        report(cat.file, line, `"${key}" is not translated (same as English); translate it or list it in "_untranslated_ok"`);
      }
    }
    if (lang !== 'en') {
      for (const key of en.messages.keys()) {
        if (!cat.messages.has(key)) report(cat.file, 0, `"${key}" is missing (it is in i18n-en.json)`);
      }
      for (const key of cat.allow) {
        if (!cat.messages.has(key)) report(cat.file, cat.lineOf('_untranslated_ok'), `_untranslated_ok: no key "${key}"`);
        else if (cat.messages.get(key) !== en.messages.get(key)) {
          report(cat.file, cat.lineOf('_untranslated_ok'), `_untranslated_ok: "${key}" is translated; remove it from the list`);
        }
      }
    }
  }
  return en;
}

// --- scripts -----------------------------------------------------------------------------------

const KEYWORDS_BEFORE_REGEX = new Set(['return', 'typeof', 'instanceof', 'in', 'of', 'new', 'delete', 'void', 'throw', 'case', 'do', 'else', 'yield', 'await']);

/** A small JavaScript lexer: strings, template chunks, identifiers, punctuation; no comments. */
function lex(src) {
  const tokens = [];
  const ignored = new Set();  // lines ending in "// i18n-ignore"
  let i = 0;
  let line = 1;
  let depth = 0;  // brace depth
  const templates = [];  // brace depth at each open ${
  const push = (type, value, extra) => tokens.push(Object.assign({ type, value, line }, extra));
  const readTemplate = (startLine) => {
    // i is just after ` or the } closing a ${...}; reads up to ` or ${.
    let text = '';
    for (;;) {
      if (i >= src.length) return;
      const c = src[i];
      if (c === '\\') { text += src[i + 1] || ''; i += 2; continue; }
      if (c === '`') { i++; tokens.push({ type: 'tmpl', value: text, line: startLine, end: true }); return; }
      if (c === '$' && src[i + 1] === '{') {
        tokens.push({ type: 'tmpl', value: text, line: startLine, end: false });
        i += 2;
        templates.push(depth);
        depth++;
        return;
      }
      if (c === '\n') line++;
      text += c;
      i++;
    }
  };
  while (i < src.length) {
    const c = src[i];
    if (c === '\n') { line++; i++; continue; }
    if (c === ' ' || c === '\t' || c === '\r') { i++; continue; }
    if (c === '/' && src[i + 1] === '/') {
      const end = src.indexOf('\n', i);
      const comment = src.slice(i, end < 0 ? src.length : end);
      if (/i18n-ignore/.test(comment)) ignored.add(line);
      i = end < 0 ? src.length : end;
      continue;
    }
    if (c === '/' && src[i + 1] === '*') {
      const end = src.indexOf('*/', i + 2);
      const stop = end < 0 ? src.length : end + 2;
      for (let k = i; k < stop; k++) if (src[k] === '\n') line++;
      i = stop;
      continue;
    }
    if (c === '"' || c === "'") {
      let value = '';
      let j = i + 1;
      while (j < src.length && src[j] !== c && src[j] !== '\n') {
        if (src[j] === '\\') {
          const n = src[j + 1];
          if (n === 'u' && /^[0-9a-fA-F]{4}$/.test(src.slice(j + 2, j + 6))) { value += String.fromCharCode(parseInt(src.slice(j + 2, j + 6), 16)); j += 6; continue; }
          value += { n: '\n', t: '\t', r: '\r' }[n] ?? n;
          j += 2;
          continue;
        }
        value += src[j++];
      }
      push('str', value);
      i = j + 1;
      continue;
    }
    if (c === '`') { i++; readTemplate(line); continue; }
    if (c === '}' && templates.length && templates[templates.length - 1] === depth - 1) {
      templates.pop();
      depth--;
      i++;
      readTemplate(line);
      continue;
    }
    if (/[A-Za-z_$]/.test(c)) {
      let j = i;
      while (j < src.length && /[A-Za-z0-9_$]/.test(src[j])) j++;
      push('ident', src.slice(i, j));
      i = j;
      continue;
    }
    if (/[0-9]/.test(c)) {
      let j = i;
      while (j < src.length && /[0-9A-Za-z_.]/.test(src[j])) j++;
      push('num', src.slice(i, j));
      i = j;
      continue;
    }
    if (c === '/') {
      const prev = tokens[tokens.length - 1];
      const regexOk = !prev || (prev.type === 'punc' && ![')', ']', '}'].includes(prev.value)) ||
        (prev.type === 'ident' && KEYWORDS_BEFORE_REGEX.has(prev.value));
      if (regexOk) {
        let j = i + 1;
        let inClass = false;
        while (j < src.length && src[j] !== '\n') {
          if (src[j] === '\\') { j += 2; continue; }
          if (src[j] === '[') inClass = true;
          else if (src[j] === ']') inClass = false;
          else if (src[j] === '/' && !inClass) break;
          j++;
        }
        j++;
        while (j < src.length && /[a-z]/.test(src[j])) j++;
        push('regex', src.slice(i, j));
        i = j;
        continue;
      }
    }
    if ('=!<>+-*%&|^'.includes(c)) {
      let j = i;
      while (j < src.length && '=!<>+-*%&|^'.includes(src[j]) && j - i < 4) j++;
      push('punc', src.slice(i, j));
      i = j;
      continue;
    }
    if (c === '{') depth++;
    if (c === '}') depth--;
    push('punc', c);
    i++;
  }
  return { tokens, ignored };
}

/** Index of the token closing the bracket at `open` ( ( [ { ). */
function closing(tokens, open) {
  const pairs = { '(': ')', '[': ']', '{': '}' };
  const stack = [];
  for (let i = open; i < tokens.length; i++) {
    const tk = tokens[i];
    if (tk.type !== 'punc') continue;
    if (pairs[tk.value]) stack.push(pairs[tk.value]);
    else if (tk.value === stack[stack.length - 1]) {
      stack.pop();
      if (stack.length === 0) return i;
    }
  }
  return tokens.length - 1;
}

/** Splits the tokens between brackets open..close at top-level commas: [[from, to)...]. */
function splitArgs(tokens, open, close) {
  const args = [];
  let start = open + 1;
  for (let i = open + 1; i < close; i++) {
    const tk = tokens[i];
    if (tk.type === 'punc' && '([{'.includes(tk.value)) { i = closing(tokens, i); continue; }
    if (tk.type === 'punc' && tk.value === ',') { args.push([start, i]); start = i + 1; }
  }
  if (start < close) args.push([start, close]);
  return args;
}

const COMPARISONS = new Set(['===', '!==', '==', '!=']);

/**
 * Literal text in tokens[from..to), skipping nested calls (their own checks see them) and
 * operands of comparisons (e.action === 'appeared' is a value, not text put on the page).
 */
function literalsIn(tokens, from, to) {
  const out = [];
  for (let i = from; i < to; i++) {
    const tk = tokens[i];
    if (tk.type === 'ident' && tokens[i + 1] && tokens[i + 1].value === '(') { i = closing(tokens, i + 1); continue; }
    if (tk.type === 'punc' && tk.value === '=>') break;  // a callback's body: not text put here
    if (tk.type !== 'str' && tk.type !== 'tmpl') continue;
    if (COMPARISONS.has(tokens[i - 1]?.value) || COMPARISONS.has(tokens[i + 1]?.value)) continue;
    out.push(tk);
  }
  return out;
}

/** Text a user would read: two letters in a row, and not a URL, a path or a dotted identifier. */
function looksLikeText(s, codesAllowed) {
  const v = s.trim();
  if (!/\p{L}.*\p{L}/u.test(v)) return false;  // 'v', '—', ': ' are not text; 'n/a' is
  if (/^[a-z]{2,}\/[a-z0-9.+-]{2,}$/.test(v)) return false;  // a media type
  if (/^[a-z]{2,3}-[A-Z]{2}$/.test(v)) return false;  // a locale: ru-RU
  if (/^[A-Z0-9][A-Z0-9_-]*$/.test(v)) return false;  // acronyms, protocol names: SHA-256, AES
  if (codesAllowed && /^[a-z][a-z0-9_]*$/.test(v)) return false;  // 'error' as a kind, error codes
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(v)) return false;  // URL
  if (/^\/[\w/.{}:-]*$/.test(v)) return false;  // path
  if (/^[a-z0-9]+([._-][a-z0-9…]*)+$/i.test(v) && !/\s/.test(v) && /[._]/.test(v)) return false;  // pmk.…, file.json
  return true;
}

/** Capitalised English phrases ("Not polled yet", "Save changes"), wherever they are. */
const PROSE = /^[A-Z][a-z]+(?:[ ,][A-Za-z0-9'’,.:;!?()-]+)+[.!?…:]?$/;
const TEXT_ATTRS = new Set(['title', 'placeholder', 'alt', 'aria-label', 'label', 'aria-description', 'aria-placeholder']);
const TEXT_PROPS = new Set(['textContent', 'innerText', 'innerHTML', 'outerHTML', 'title', 'placeholder', 'alt', 'label', 'ariaLabel']);
const SINK_CALLS = new Set(['flash', 'toast', 'notify', 'confirm', 'alert', 'prompt']);
const CHILD_METHODS = new Set(['append', 'prepend', 'replaceChildren', 'before', 'after', 'replaceWith', 'createTextNode', 'insertAdjacentText']);

function checkScript(file, src, used) {
  const { tokens, ignored } = lex(src);
  const flagged = new Set();
  const flag = (tk, why) => {
    if (ignored.has(tk.line) || flagged.has(tk)) return;
    flagged.add(tk);
    report(file, tk.line, `hard-coded text ${JSON.stringify(tk.value)} ${why}; use t('key')`);
  };
  // codesAllowed: in calls such as flash(text, 'error') or new ApiError(status, 'code', ...), a
  // lone lower-case identifier is an argument, not text; as a child of h() it would be text.
  const checkText = (from, to, why, codesAllowed = false) => {
    for (const tk of literalsIn(tokens, from, to)) if (looksLikeText(tk.value, codesAllowed)) flag(tk, why);
  };
  const inT = new Set();
  for (let i = 0; i < tokens.length; i++) {
    const tk = tokens[i];
    const prev = tokens[i - 1];
    const next = tokens[i + 1];
    const call = tk.type === 'ident' && next && next.value === '(' &&
      !(prev && prev.type === 'ident' && prev.value === 'function');
    const method = prev && prev.value === '.';
    if (call && !method && tk.value === 't') {
      const close = closing(tokens, i + 1);
      const args = splitArgs(tokens, i + 1, close);
      const first = args[0];
      const key = first && first[1] - first[0] === 1 ? tokens[first[0]] : null;
      if (key && (key.type === 'str' || (key.type === 'tmpl' && key.end && tokens[first[0] - 1].value === '('))) {
        used.push({ key: key.value, file, line: key.line });
        inT.add(key);
      } else if (!ignored.has(tk.line)) {
        report(file, tk.line, 't() needs a literal key (t(\'section.key\')), so the catalogue checker can see it');
      }
      continue;
    }
    if (call && !method && tk.value === 'h') {
      const close = closing(tokens, i + 1);
      const args = splitArgs(tokens, i + 1, close);
      if (args[1] && tokens[args[1][0]].value === '{') {
        const objOpen = args[1][0];
        for (const [from, to] of splitArgs(tokens, objOpen, closing(tokens, objOpen))) {
          const k = tokens[from];
          if (tokens[from + 1] && tokens[from + 1].value === ':' && TEXT_ATTRS.has(k.value)) {
            checkText(from + 2, to, `in the ${k.value} of h()`);
          }
        }
      }
      for (const [from, to] of args.slice(2)) checkText(from, to, 'as a child of h()');
      continue;
    }
    if (call && ((!method && SINK_CALLS.has(tk.value)) || (prev && prev.value === 'new' && /Error$/.test(tk.value)))) {
      checkText(i + 2, closing(tokens, i + 1), `in ${tk.value}()`, true);
      continue;
    }
    if (call && method && CHILD_METHODS.has(tk.value)) {
      checkText(i + 2, closing(tokens, i + 1), `in .${tk.value}()`);
      continue;
    }
    if (call && method && tk.value === 'setAttribute') {
      const close = closing(tokens, i + 1);
      const args = splitArgs(tokens, i + 1, close);
      const name = args[0] && tokens[args[0][0]];
      if (name && name.type === 'str' && TEXT_ATTRS.has(name.value) && args[1]) checkText(args[1][0], args[1][1], `in the ${name.value} attribute`);
      continue;
    }
    if (tk.type === 'ident' && tk.value === 'return' && !method) {
      // Helpers that return display text ("just now", 'Supply'); a lone lower-case word is more
      // likely a class name or a code.
      let end = i + 1;
      while (end < tokens.length && !(tokens[end].type === 'punc' && [';', '}'].includes(tokens[end].value))) {
        if (tokens[end].type === 'punc' && '([{'.includes(tokens[end].value)) end = closing(tokens, end);
        end++;
      }
      checkText(i + 1, end, 'returned', true);
      continue;
    }
    if (tk.type === 'ident' && method && TEXT_PROPS.has(tk.value) && next && (next.value === '=' || next.value === '+=')) {
      let end = i + 2;
      while (end < tokens.length && !(tokens[end].type === 'punc' && [';', ')', '}', ','].includes(tokens[end].value))) {
        if (tokens[end].type === 'punc' && '([{'.includes(tokens[end].value)) end = closing(tokens, end);
        end++;
      }
      checkText(i + 2, end, `assigned to .${tk.value}`);
      continue;
    }
  }
  // Capitalised phrases anywhere else (label maps, option lists), except keys and console output.
  for (let i = 0; i < tokens.length; i++) {
    const tk = tokens[i];
    if (tk.type !== 'str' && tk.type !== 'tmpl') continue;
    if (inT.has(tk) || flagged.has(tk)) continue;
    const next = tokens[i + 1];
    if (next && next.value === ':' && tk.type === 'str') continue;  // an object key
    const v = tk.value.trim();
    const word = /^[A-Z][a-z]{2,}$/.test(v) && tokens[i - 1] && [':', '[', ',', '||', '??', '?'].includes(tokens[i - 1].value) &&
      !(tokens[i - 1].value === '[' && next && next.value === ']');
    if (PROSE.test(v) || word) {
      let j = i - 1;
      let depth = 0;
      let inConsole = false;
      for (; j >= 0 && j > i - 60; j--) {
        const p = tokens[j];
        if (p.value === ')') depth++;
        if (p.value === '(') {
          if (depth === 0) {
            const callee = tokens[j - 1];
            const obj = tokens[j - 3];
            if (obj && obj.value === 'console') inConsole = true;
            if (callee && callee.value === 'import') inConsole = true;
            break;
          }
          depth--;
        }
      }
      if (!inConsole) flag(tk, 'looks like English text');
    }
  }
}

// --- HTML --------------------------------------------------------------------------------------

const VOID = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'source', 'track', 'wbr']);

function checkHtml(file, src, used) {
  const stack = [];  // {tag, covered}
  const lineAt = (index) => src.slice(0, index).split('\n').length;
  const re = /<!--[\s\S]*?-->|<!doctype[^>]*>|<\/?([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[^\s=>/]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+))?)*)\s*\/?>|([^<]+)/gi;
  let m;
  while ((m = re.exec(src))) {
    const line = lineAt(m.index);
    const covered = stack.length > 0 && stack[stack.length - 1].covered;
    if (m[3] !== undefined) {
      const text = m[3].replace(/&[a-z#0-9]+;/gi, ' ');
      const inRaw = stack.length && ['script', 'style'].includes(stack[stack.length - 1].tag);
      if (!covered && !inRaw && /\p{L}{2,}/u.test(text)) report(file, line, `text ${JSON.stringify(text.trim())} has no data-i18n`);
      continue;
    }
    if (!m[1]) continue;
    const tag = m[1].toLowerCase();
    if (m[0].startsWith('</')) {
      while (stack.length && stack.pop().tag !== tag) { /* implicitly closed elements */ }
      continue;
    }
    const attrs = {};
    for (const a of (m[2] || '').matchAll(/([^\s=>/]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?/g)) {
      attrs[a[1].toLowerCase()] = a[2] ?? a[3] ?? a[4] ?? '';
    }
    let own = covered || attrs.translate === 'no';
    for (const [name, value] of Object.entries(attrs)) {
      const i18nAttr = name.match(/^data-i18n(?:-([a-z-]+))?$/);
      if (i18nAttr) {
        used.push({ key: value, file, line });
        if (!i18nAttr[1]) own = true;
      }
    }
    for (const name of TEXT_ATTRS) {
      if (attrs[name] !== undefined && !own && attrs['data-i18n-' + name] === undefined && /\p{L}{2,}/u.test(attrs[name])) {
        report(file, line, `${name}="${attrs[name]}" has no data-i18n-${name}`);
      }
    }
    if (!VOID.has(tag) && !m[0].endsWith('/>')) stack.push({ tag, covered: own });
  }
}

// --- main --------------------------------------------------------------------------------------

function main() {
  const dir = process.argv[2];
  if (!dir || process.argv.length > 3) {
    console.error('usage: node check_catalogues.mjs <web-dir>');
    return 2;
  }
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    console.error(`check_catalogues: ${dir} is not a directory`);
    return 2;
  }
  const en = checkCatalogues(dir);
  const used = [];
  for (const f of fs.readdirSync(dir).sort()) {
    const file = path.join(dir, f);
    if (f.endsWith('.js') || f.endsWith('.mjs')) checkScript(file, fs.readFileSync(file, 'utf8'), used);
    else if (f.endsWith('.html')) checkHtml(file, fs.readFileSync(file, 'utf8'), used);
  }
  if (en) {
    const enFile = path.join(dir, 'i18n-en.json');
    for (const u of used) {
      if (!en.messages.has(u.key)) report(u.file, u.line, `key "${u.key}" is not in i18n-en.json`);
    }
    const usedKeys = new Set(used.map((u) => u.key));
    for (const key of en.messages.keys()) {
      if (!usedKeys.has(key)) report(enFile, en.lineOf(key), `"${key}" is not used by any *.js or *.html`);
    }
  }
  for (const p of problems) console.log(p);
  const keys = en ? en.messages.size : 0;
  console.log(problems.length ? `check_catalogues: ${problems.length} problem(s) in ${dir}`
    : `check_catalogues: ${dir}: ${keys} keys, catalogues and pages agree`);
  return problems.length ? 1 : 0;
}

process.exitCode = main();
