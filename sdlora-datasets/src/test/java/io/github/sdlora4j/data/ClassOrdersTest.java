package io.github.sdlora4j.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class ClassOrdersTest {

    /** The spec's file, relative to the repository (worktrees sit beside {@code shared/}) or absolute. */
    private static Path sharedOrders() {
        for (Path p : List.of(Path.of("../../shared/spec/class-orders.json"), Path.of("../shared/spec/class-orders.json"),
                Path.of("/work/shared/spec/class-orders.json"))) {
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        return null;
    }

    @Test
    void resourceEqualsTheSharedSpecFile() throws Exception {
        Path shared = sharedOrders();
        assumeTrue(shared != null, "shared/spec/class-orders.json not present");
        ObjectMapper om = new ObjectMapper();
        JsonNode expected = om.readTree(shared.toFile());
        JsonNode actual;
        try (InputStream in = ClassOrders.class.getResourceAsStream(ClassOrders.RESOURCE)) {
            actual = om.readTree(in);
        }
        assertEquals(expected, actual, "src/main/resources class-orders.json is out of date; copy " + shared);
    }

    @Test
    void allEighteenReferenceOrdersShipAndArePermutations() {
        Map<String, int[]> orders = ClassOrders.referenceOrders();
        for (int n : new int[] {100, 200, 345}) {
            for (long seed : new long[] {1993, 1994, 1995, 1996, 1997, 42}) {
                int[] o = orders.get("n" + n + "_seed" + seed);
                assertTrue(o != null, n + "/" + seed);
                ClassOrders.validate(o, n);
                assertArrayEquals(o, ClassOrders.forSeed(n, seed));
            }
        }
        assertEquals(18, orders.size());
    }

    @Test
    void referenceOrdersMatchTheFirstEntriesQuotedInTheSpec() {
        assertArrayEquals(new int[] {168, 136, 51, 9, 183, 101, 171, 99, 42, 159},
                java.util.Arrays.copyOf(ClassOrders.forSeed(200, 1993), 10));
        assertArrayEquals(new int[] {146, 198, 169, 126, 142, 183, 108, 86, 79, 35},
                java.util.Arrays.copyOf(ClassOrders.forSeed(200, 1995), 10));
        assertArrayEquals(new int[] {92, 182, 15, 79, 26}, java.util.Arrays.copyOf(ClassOrders.forSeed(200, 1996), 5));
        assertArrayEquals(new int[] {72, 6, 33, 96, 60, 94, 29, 40, 45, 66},
                java.util.Arrays.copyOf(ClassOrders.forSeed(100, 1994), 10));
    }

    @Test
    void otherSeedsUseTheDocumentedJavaShuffle() {
        assertFalse(ClassOrders.reference(100, 7).isPresent());
        assertFalse(ClassOrders.reference(10, 1993).isPresent());
        for (int n : new int[] {1, 10, 100, 345}) {
            for (long seed : new long[] {0, 7, 1993, -5}) {
                // Collections.shuffle performs exactly the documented Fisher-Yates with the same Random calls.
                List<Integer> expected = new ArrayList<>(IntStream.range(0, n).boxed().toList());
                Collections.shuffle(expected, new Random(seed));
                int[] actual = ClassOrders.javaShuffle(n, seed);
                assertArrayEquals(expected.stream().mapToInt(Integer::intValue).toArray(), actual);
                if (!ClassOrders.reference(n, seed).isPresent()) {
                    assertArrayEquals(actual, ClassOrders.forSeed(n, seed));
                }
            }
        }
        assertFalse(java.util.Arrays.equals(ClassOrders.javaShuffle(100, 1), ClassOrders.javaShuffle(100, 2)));
    }

    @Test
    void explicitOrdersAreValidated() {
        assertArrayEquals(new int[] {2, 0, 1}, ClassOrders.validate(new int[] {2, 0, 1}, 3));
        IllegalArgumentException dup = assertThrows(IllegalArgumentException.class,
                () -> ClassOrders.validate(new int[] {0, 0, 1}, 3));
        assertTrue(dup.getMessage().contains("twice"), dup.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ClassOrders.validate(new int[] {0, 1}, 3));
        IllegalArgumentException range = assertThrows(IllegalArgumentException.class,
                () -> ClassOrders.validate(new int[] {0, 3, 1}, 3));
        assertTrue(range.getMessage().contains("0..2"), range.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ClassOrders.validate(null, 3));
        assertThrows(IllegalArgumentException.class, () -> ClassOrders.javaShuffle(0, 1));
        assertArrayEquals(new int[] {1, 2, 0}, ClassOrders.inverse(new int[] {2, 0, 1}));
    }

    @Test
    void returnedOrdersAreCopies() {
        int[] a = ClassOrders.forSeed(100, 1993);
        a[0] = -1;
        assertEquals(68, ClassOrders.forSeed(100, 1993)[0]);
    }
}
