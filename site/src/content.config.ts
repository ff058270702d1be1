// Docs are repository markdown (site/docs/<lang>/*.md), trusted like the rest of the repo, rendered by Astro.

import { defineCollection, z } from 'astro:content';
import { glob } from 'astro/loaders';

const docs = defineCollection({
  loader: glob({ pattern: '*/*.md', base: './docs' }),
  schema: z.object({ title: z.string().optional(), order: z.number().optional() }).passthrough(),
});

export const collections = { docs };
