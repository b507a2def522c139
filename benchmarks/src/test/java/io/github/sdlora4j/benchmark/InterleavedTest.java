package io.github.sdlora4j.benchmark;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class InterleavedTest {

    @Test
    void warmsUpThenRotatesTheStartOfEachRound() {
        List<String> calls = new ArrayList<>();
        Interleaved<String> rounds = new Interleaved<String>().add("a", () -> calls.add("a")).add("b", () -> calls.add("b"))
                .add("c", () -> calls.add("c"));
        Map<String, double[]> ms = rounds.time(1, 3);
        assertEquals(List.of("a", "b", "c", "a", "b", "c", "b", "c", "a", "c", "a", "b"), calls);
        assertEquals(List.of("a", "b", "c"), List.copyOf(ms.keySet()));
        ms.values().forEach(v -> assertEquals(3, v.length));
    }

    @Test
    void rejectsDuplicateNamesAndEmptyRounds() {
        Interleaved<String> rounds = new Interleaved<String>().add("a", () -> { });
        assertThrows(IllegalArgumentException.class, () -> rounds.add("a", () -> { }));
        assertThrows(IllegalArgumentException.class, () -> rounds.time(0, 0));
    }
}
