// Puts rows in time order. A file written newest-first is reversed without complaint; in an
// otherwise ordered file, rows that break the order are reported. The rows kept are the
// longest strictly increasing run (so one row with a wrong far-future date costs that row,
// not every row after it); among equal timestamps the first occurrence is kept.
import type { DataIssue } from "./load_report.ts";

export interface Timed {
  readonly line: number;
  readonly time: number;
}

export interface OrderedRows<T> {
  readonly rows: T[];
  readonly reversed: boolean;
  readonly issues: DataIssue[];
}

export function orderRows<T extends Timed>(file: string, input: readonly T[]): OrderedRows<T> {
  let ascending = 0;
  let descending = 0;
  for (let i = 1; i < input.length; i++) {
    if (input[i].time > input[i - 1].time) ascending++;
    else if (input[i].time < input[i - 1].time) descending++;
  }
  const reversed = descending > ascending;
  const rows = reversed ? [...input].reverse() : [...input];
  const issues: DataIssue[] = [];

  const firstAt = new Map<number, T>();
  const unique: T[] = [];
  for (const row of rows) {
    const first = firstAt.get(row.time);
    if (first !== undefined) {
      issues.push({
        file,
        line: row.line,
        kind: "duplicate-timestamp",
        message: `timestamp ${iso(row.time)} already on line ${first.line}`,
      });
      continue;
    }
    firstAt.set(row.time, row);
    unique.push(row);
  }

  const keep = longestIncreasing(unique.map((r) => r.time));
  const kept: T[] = [];
  for (let i = 0; i < unique.length; i++) {
    if (keep[i]) {
      kept.push(unique[i]);
      continue;
    }
    issues.push({
      file,
      line: unique[i].line,
      kind: "out-of-order",
      message: `timestamp ${iso(unique[i].time)} breaks the file's ${
        reversed ? "newest-first" : "oldest-first"
      } order`,
    });
  }
  issues.sort((a, b) => a.line - b.line);
  return { rows: kept, reversed, issues };
}

/**
 * Marks a longest strictly increasing subsequence; among several, the one whose indices come
 * first (so in 1,3,2,4 the "2" that steps back is the one reported, not the "3").
 */
function longestIncreasing(values: readonly number[]): boolean[] {
  // lengthFrom[i]: length of the longest increasing run starting at i (patience sorting over
  // the reversed, negated sequence).
  const lengthFrom = new Array<number>(values.length);
  const tails: number[] = [];
  for (let i = values.length - 1; i >= 0; i--) {
    const v = -values[i];
    let lo = 0;
    let hi = tails.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (tails[mid] < v) lo = mid + 1;
      else hi = mid;
    }
    tails[lo] = v;
    lengthFrom[i] = lo + 1;
  }
  const keep = new Array<boolean>(values.length).fill(false);
  let remaining = tails.length;
  let last = -Infinity;
  for (let i = 0; i < values.length && remaining > 0; i++) {
    if (values[i] > last && lengthFrom[i] === remaining) {
      keep[i] = true;
      last = values[i];
      remaining--;
    }
  }
  return keep;
}

const iso = (t: number) => new Date(t).toISOString();
