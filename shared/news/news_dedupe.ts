// Merges story lists that overlap (the two 2023 GOOG downloads hold the same 196 stories).
// Two stories are one when they share an id (the same URL) or the same title, compared
// case-insensitively with collapsed spaces, at the same publication time. The first seen
// wins; a later copy whose content differs (the vendor re-scores stories between downloads)
// is counted as a conflict so the caller can report it. Syndicated copies published at other
// times are separate publications and are kept.
import type { News } from "../messages/mod.ts";

export interface DedupeResult {
  /** Sorted by publication time, then id. */
  news: News[];
  /** Copies dropped. */
  duplicates: number;
  /** Dropped copies whose content differed from the kept one, with the fields that differ. */
  conflicts: string[];
}

export function dedupeNews(lists: readonly (readonly News[])[]): DedupeResult {
  const byId = new Map<string, News>();
  const byTitleTime = new Map<string, News>();
  let duplicates = 0;
  const conflicts: string[] = [];
  for (const list of lists) {
    for (const story of list) {
      const titleKey = `${normalizeTitle(story.title)}|${story.publishedAt}`;
      const kept = byId.get(story.id) ?? byTitleTime.get(titleKey);
      if (kept !== undefined) {
        duplicates++;
        const fields = differingFields(kept, story);
        if (fields.length > 0) {
          conflicts.push(`${story.id} duplicates ${kept.id}; kept the first, differs in ${fields}`);
        }
        continue;
      }
      byId.set(story.id, story);
      byTitleTime.set(titleKey, story);
    }
  }
  return { news: sortNews([...byId.values()]), duplicates, conflicts };
}

/** By publication time, then id: the order a replay publishes stories in. */
export function sortNews(news: News[]): News[] {
  return news.sort((a, b) =>
    a.publishedAt - b.publishedAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  );
}

const normalizeTitle = (title: string) => title.trim().replace(/\s+/g, " ").toLowerCase();

function differingFields(a: News, b: News): string {
  const keys = Object.keys(a) as (keyof News)[];
  return keys.filter((k) => k !== "id" && JSON.stringify(a[k]) !== JSON.stringify(b[k])).join(
    ", ",
  );
}
