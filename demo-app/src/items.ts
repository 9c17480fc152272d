import { z } from 'zod';
import { DemoError, describeIssues } from './errors.js';
import { readJsonBody, sendJson } from './respond.js';
import type { Route } from './router.js';

export interface Item {
  id: number;
  name: string;
  note?: string;
  createdAt: string;
}

export const NewItemSchema = z.strictObject({
  name: z.string().trim().min(1).max(100),
  note: z.string().trim().max(500).optional(),
});

/** Kept small: the store lives in memory for as long as the app runs. */
const MAX_ITEMS = 500;
const MAX_BODY_BYTES = 16 * 1024;

const SEED = ['Coffee beans', 'Oat milk', 'Sourdough bread'];

/** The in-memory item list; past MAX_ITEMS the oldest items go first. */
export class ItemStore {
  private readonly items = new Map<number, Item>();
  private nextId = 1;

  constructor(seed: readonly string[] = SEED) {
    for (const name of seed) this.add({ name });
  }

  list(): Item[] {
    return [...this.items.values()];
  }

  get(id: number): Item | undefined {
    return this.items.get(id);
  }

  add(input: z.output<typeof NewItemSchema>): Item {
    const item: Item = { id: this.nextId++, name: input.name, createdAt: new Date().toISOString() };
    if (input.note !== undefined && input.note !== '') item.note = input.note;
    this.items.set(item.id, item);
    if (this.items.size > MAX_ITEMS) this.items.delete(this.items.keys().next().value!);
    return item;
  }
}

/** `GET /api/items`, `GET /api/items/:id`, `POST /api/items`. */
export function itemRoutes(store: ItemStore): Route[] {
  return [
    {
      methods: ['GET', 'HEAD'],
      pattern: /^\/api\/items\/?$/,
      handler: ({ res }) => sendJson(res, 200, { items: store.list() }),
    },
    {
      methods: ['POST'],
      pattern: /^\/api\/items\/?$/,
      handler: async ({ req, res }) => {
        const parsed = NewItemSchema.safeParse(await readJsonBody(req, MAX_BODY_BYTES));
        if (!parsed.success) throw new DemoError('invalid_body', describeIssues(parsed.error));
        const item = store.add(parsed.data);
        sendJson(res, 201, item, { location: `/api/items/${item.id}` });
      },
    },
    {
      methods: ['GET', 'HEAD'],
      pattern: /^\/api\/items\/([^/]+)$/,
      handler: ({ res, params }) => {
        const id = /^\d{1,15}$/.test(params[0]!) ? Number(params[0]) : NaN;
        const item = store.get(id);
        if (item === undefined) throw new DemoError('item_not_found');
        sendJson(res, 200, item);
      },
    },
  ];
}
