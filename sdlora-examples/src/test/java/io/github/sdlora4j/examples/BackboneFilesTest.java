package io.github.sdlora4j.examples;

import io.github.sdlora4j.io.BundledBackbones;
import io.github.sdlora4j.vit.VitWeights;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BackboneFilesTest {

    @Test
    void bundledByNameLoadsThatResource() throws Exception {
        BackboneFiles.Loaded byName = BackboneFiles.load("bundled:demo-vit", null, 1);
        VitWeights direct = BundledBackbones.load("demo-vit");
        assertEquals(direct.config(), byName.weights().config());
        assertEquals(direct.parameterCount(), byName.weights().parameterCount());
        assertEquals("bundled:demo-vit", byName.source());
    }

    @Test
    void unknownBundledNameIsNamedInTheError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BackboneFiles.load("bundled:no-such-vit", null, 1));
        assertTrue(e.getMessage().contains("no-such-vit"), e.getMessage());
    }
}
