package io.github.sdlora4j.data;

import java.util.Collection;
import java.util.Locale;

/** "Did you mean" for misspelt names: the closest known name by Levenshtein distance, if it is close enough. */
public final class Suggestions {

    private Suggestions() {
    }

    /** The closest of {@code known} to {@code name} (case-insensitive), or null when none is within a third of it. */
    public static String closest(String name, Collection<?> known) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (Object k : known) {
            String candidate = String.valueOf(k);
            int d = distance(name.toLowerCase(Locale.ROOT), candidate.toLowerCase(Locale.ROOT));
            if (d < bestDistance) {
                bestDistance = d;
                best = candidate;
            }
        }
        return best != null && bestDistance <= Math.max(2, name.length() / 3) ? best : null;
    }

    /** Edit distance with unit costs for insertion, deletion and substitution. */
    public static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitute = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitute, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] t = previous;
            previous = current;
            current = t;
        }
        return previous[b.length()];
    }
}
