package io.github.sdlora4j.examples;

import io.github.sdlora4j.data.Suggestions;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class SuggestionsTest {

    @Test
    void levenshteinDistance() {
        assertEquals(3, Suggestions.distance("kitten", "sitting"));
        assertEquals(0, Suggestions.distance("rank", "rank"));
        assertEquals(4, Suggestions.distance("", "rank"));
    }

    @Test
    void suggestsOnlyCloseNames() {
        List<String> known = List.of("epochs", "batchSize", "evalBatchSize", "learningRate");
        assertEquals("batchSize", Suggestions.closest("batchsize", known));
        assertEquals("learningRate", Suggestions.closest("learningrat", known));
        assertNull(Suggestions.closest("colour", known));
    }
}
