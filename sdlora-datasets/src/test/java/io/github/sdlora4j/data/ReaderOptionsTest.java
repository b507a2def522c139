package io.github.sdlora4j.data;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reader options are checked against the reader's declared, typed options when a spec is made. */
class ReaderOptionsTest {

    private static DatasetSpec synthetic() {
        return DatasetSpec.of("synthetic", null, 2, 2, 16);
    }

    @Test
    void knownOptionsOfTheRightKindPass() {
        DatasetSpec s = synthetic().withOptions(Map.of("classes", "6", "seed", "12345678901", "rendition", "Sketch",
                "split", "pretrain"));
        assertEquals("6", s.options().get("classes"));
    }

    @Test
    void anUnknownOptionIsRefusedWithTheClosestKnownOne() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> synthetic().withOptions(Map.of("clases", "6")));
        assertTrue(e.getMessage().contains("unknown key 'dataset.options.clases' for format synthetic")
                && e.getMessage().contains("did you mean 'classes'?"), e.getMessage());
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class,
                () -> DatasetSpec.of("cifar100", Path.of("x"), 10, 10, 32).withOptions(Map.of("classes", "10")));
        assertTrue(none.getMessage().contains("this format takes no options"), none.getMessage());
    }

    @Test
    void aValueOfTheWrongKindNamesTheOption() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> synthetic().withOptions(Map.of("trainPerClass", "many")));
        assertEquals("dataset.options.trainPerClass of format synthetic must be an integer, got 'many'", e.getMessage());
        IllegalArgumentException c = assertThrows(IllegalArgumentException.class,
                () -> synthetic().withOptions(Map.of("split", "test")));
        assertTrue(c.getMessage().contains("one of benchmark, pretrain"), c.getMessage());
    }
}
