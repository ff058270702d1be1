// vitest setup file: every test file's temp dirs go when it ends. Without it, each `npm test` left ~60 dirs in /tmp.
import { afterAll } from 'vitest';
import { removeTempDirs } from './temp-dir.js';

afterAll(removeTempDirs);
