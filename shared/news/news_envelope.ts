// The envelope a news story travels in on "md.news": its id and correlation derive from the
// story id, its time is the publication time, so a replay reproduces it exactly.
import { type Envelope, makeEnvelope, messageId, type News } from "../messages/mod.ts";

export function newsEnvelope(story: News, producer = "feed"): Envelope<"news"> {
  return makeEnvelope("news", {
    id: messageId(producer, "news", story.id),
    producer,
    time: story.publishedAt,
    corr: `news:${story.id}`,
  }, story);
}
