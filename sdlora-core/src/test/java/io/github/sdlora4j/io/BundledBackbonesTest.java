package io.github.sdlora4j.io;

import io.github.sdlora4j.vit.TestWeights;
import io.github.sdlora4j.vit.VitConfig;
import io.github.sdlora4j.vit.VitWeights;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BundledBackbonesTest {

    @Test
    void aBackboneUnderTheFolderLoadsByNameInItsRecordedShape(@TempDir Path dir) throws IOException {
        VitWeights original = TestWeights.perturbed(VitConfig.TINY_TEST, 5, DataType.FLOAT);
        Path folder = Files.createDirectories(dir.resolve(BundledBackbones.FOLDER));
        TimmModelExport.exportBackbone(original, folder.resolve("tiny-b1.safetensors"));
        try (URLClassLoader loader = loaderOf(dir)) {
            VitWeights loaded = BundledBackbones.load("tiny-b1", loader);
            assertEquals(VitConfig.TINY_TEST, loaded.config(), "the shape comes from the file's metadata");
            assertEquals(original.tensors().keySet(), loaded.tensors().keySet());
            original.tensors().forEach((k, v) -> assertEquals(v, loaded.tensors().get(k), k));
            assertEquals(BundledBackbones.file("tiny-b1", loader), BundledBackbones.file("tiny-b1", loader),
                    "copied out once per JVM");
        }
    }

    @Test
    void aMissingBackboneNamesTheResourceAndTheArtifact(@TempDir Path dir) throws IOException {
        try (URLClassLoader loader = loaderOf(dir)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> BundledBackbones.load("no-such-vit", loader));
            assertTrue(e.getMessage().contains("sdlora4j/backbones/no-such-vit.safetensors"), e.getMessage());
            assertTrue(e.getMessage().contains(BundledBackbones.ARTIFACT), e.getMessage());
        }
    }

    @Test
    void aFileWithoutARecordedShapeIsRefused(@TempDir Path dir) throws IOException {
        VitWeights original = TestWeights.perturbed(VitConfig.TINY_TEST, 5, DataType.FLOAT);
        Path folder = Files.createDirectories(dir.resolve(BundledBackbones.FOLDER));
        SafetensorsWriter.write(folder.resolve("bare.safetensors"), original.tensors(), java.util.Map.of());
        try (URLClassLoader loader = loaderOf(dir)) {
            CheckpointException e = assertThrows(CheckpointException.class,
                    () -> BundledBackbones.load("bare", loader));
            assertTrue(e.getMessage().contains("records no ViT shape"), e.getMessage());
        }
    }

    @Test
    void namesArePlainFileStems() {
        for (String bad : new String[]{"", "../x", "a/b", "demo-vit.safetensors/", "Demo"}) {
            assertThrows(IllegalArgumentException.class, () -> BundledBackbones.resource(bad), bad);
        }
        assertEquals("sdlora4j/backbones/demo-vit.safetensors", BundledBackbones.resource("demo-vit"));
    }

    private static URLClassLoader loaderOf(Path dir) throws IOException {
        return new URLClassLoader(new URL[]{dir.toUri().toURL()}, null);
    }
}
