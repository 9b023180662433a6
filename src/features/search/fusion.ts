/**
 * Reciprocal rank fusion (Cormack, Clarke & Büttcher, SIGIR 2009): each entity scores
 * Σ 1 / (K + rank) over the result lists it appears in, so an entity found both by meaning
 * and by its words outranks one found by either alone, without comparing cosine distances
 * to text-match scores. With a single list the order is that list's.
 */

export type MatchReason = "semantic" | "full_text" | "fuzzy";

export const RRF_K = 60;

export interface RankedHit {
  key: string;
  entity_type: string;
  entity_id: string;
  attribute: string;
  chunk_text: string;
  distance: number;
  reasons: MatchReason[];
}

export interface FusedHit extends RankedHit {
  score: number;
}

/**
 * `lists` are each ordered best first. The shown chunk comes from the first list that has
 * the entity (callers pass the lexical list first: its chunk holds the words searched for);
 * the distance is the best any list reports; reasons are merged.
 */
export function fuseByRank(lists: RankedHit[][]): FusedHit[] {
  const fused = new Map<string, FusedHit>();
  for (const list of lists) {
    list.forEach((hit, index) => {
      const contribution = 1 / (RRF_K + index + 1);
      const seen = fused.get(hit.key);
      if (!seen) {
        fused.set(hit.key, { ...hit, reasons: [...hit.reasons], score: contribution });
        return;
      }
      seen.score += contribution;
      seen.distance = Math.min(seen.distance, hit.distance);
      for (const reason of hit.reasons) if (!seen.reasons.includes(reason)) seen.reasons.push(reason);
    });
  }
  return [...fused.values()].sort((a, b) => b.score - a.score || a.distance - b.distance || a.key.localeCompare(b.key));
}
