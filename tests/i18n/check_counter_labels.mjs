// Every counter name the vendor profiles can emit has a label in both web UIs: the cloud
// console's counterName() (cloud-api/web/fleet.js, catalogue keys cn_*) and the scanner UI's
// (scanner/web/app.js, keys counter.*). A name without one would show as its raw identifier
// to the people who bill on it. Plain node: reads the TOML and JS as text.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const root = process.argv[2];
if (!root) {
  console.error('usage: check_counter_labels.mjs <source root>');
  process.exit(2);
}

const emitted = new Set(['total', 'mono', 'color', 'print_total', 'print_mono', 'print_color',
  'copy_total', 'copy_mono', 'copy_color', 'scan_total', 'scan_mono', 'scan_color', 'fax_total',
  'duplex', 'since_power_on']);
const profiles = join(root, 'scanner/profiles');
for (const file of readdirSync(profiles).filter((f) => f.endsWith('.toml'))) {
  const text = readFileSync(join(profiles, file), 'utf8').replace(/#.*$/gm, '');
  // Counter, derived and table entries name a counter; size tables name two or three.
  for (const m of text.matchAll(/\b(?:name|large|small|total)\s*=\s*"([a-z][a-z0-9_]*)"/g)) {
    emitted.add(m[1]);
  }
}

function labelled(file, pattern) {
  const text = readFileSync(join(root, file), 'utf8');
  return new Set([...text.matchAll(pattern)].map((m) => m[1]));
}
const uis = [
  ['cloud-api/web/fleet.js', /\b([a-z][a-z0-9_]*): t\('cn_/g, 'cloud-api/web/i18n-en.json', 'cn_'],
  ['scanner/web/app.js', /\b([a-z][a-z0-9_]*): \(\) => t\('counter\./g, 'scanner/web/i18n-en.json',
    'counter.'],
];
let failures = 0;
for (const [file, pattern, catalogue, prefix] of uis) {
  const names = labelled(file, pattern);
  const keys = JSON.parse(readFileSync(join(root, catalogue), 'utf8'));
  for (const n of [...emitted].sort()) {
    if (!names.has(n)) {
      console.error(`${file}: no label for counter '${n}'`);
      failures++;
    } else if (!(prefix + n in keys)) {
      console.error(`${catalogue}: no text for '${prefix}${n}'`);
      failures++;
    }
  }
}
if (emitted.size < 40) {
  console.error(`only ${emitted.size} counter names found in ${profiles}: the scan is broken`);
  failures++;
}
console.log(`${emitted.size} counter names, ${failures} without a label`);
process.exit(failures ? 1 : 0);
