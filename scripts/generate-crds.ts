// Writes crds/*.yaml from the schema in src/api/schema.ts.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { crdFiles } from '../src/api/crd.ts';

const dir = join(import.meta.dirname, '..', 'crds');
for (const [file, text] of Object.entries(crdFiles())) {
  writeFileSync(join(dir, file), text);
  process.stdout.write(`wrote crds/${file}\n`);
}
