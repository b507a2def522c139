package io.github.sdlora4j.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class DatasetIdentityTest {

    private static DatasetIdentity identity(String format, Path root, Map<String, String> options) {
        DatasetSpec spec = DatasetSpec.of(format, root, 1, 1, 32).withOptions(options);
        return DatasetIdentity.of(spec, DatasetReaders.forName(format).read(root, options, false));
    }

    private static void folder(Path root, int testValue) throws IOException {
        for (String split : new String[]{"train", "test"}) {
            for (String c : new String[]{"ant", "bee"}) {
                Path dir = Files.createDirectories(root.resolve(split).resolve(c));
                Fixtures.writeImage(dir.resolve("a.png"), 8, 8, split.equals("test") ? testValue : 10);
                Fixtures.writeImage(dir.resolve("b.png"), 8, 8, 20);
            }
        }
        Files.writeString(root.resolve("README.txt"), "not read by the reader");
    }

    @Test
    void imageFolderDigestIsOverRelativePathsAndSizesOfTheFilesRead(@TempDir Path tmp) throws IOException {
        Path root = tmp.resolve("one");
        folder(root, 30);
        DatasetIdentity id = identity("image-folder", root, Map.of());
        Map<String, Long> expected = new TreeMap<>();
        for (String split : new String[]{"train", "test"}) {
            for (String c : new String[]{"ant", "bee"}) {
                for (String f : new String[]{"a.png", "b.png"}) {
                    String rel = split + "/" + c + "/" + f;
                    expected.put(rel, Files.size(root.resolve(rel)));
                }
            }
        }
        assertEquals(8, id.files());
        assertEquals(expected.values().stream().mapToLong(Long::longValue).sum(), id.bytes());
        assertEquals(DatasetIdentity.digest(expected), id.sha256(), "README.txt is not read, so it is not hashed");
        assertNull(id.generator());

        // The same files elsewhere give the same identity; a changed file (another size) another one.
        Path copy = tmp.resolve("two");
        folder(copy, 30);
        assertEquals(id, identity("image-folder", copy, Map.of()));
        Path changed = tmp.resolve("three");
        folder(changed, 30);
        Fixtures.writeNoiseJpeg(changed.resolve("test/bee/a.png"), 16, 16);
        assertNotEquals(id.sha256(), identity("image-folder", changed, Map.of()).sha256());
    }

    @Test
    void cifarIdentityIsTheSameFromTheArchiveFolderOrItsParent(@TempDir Path tmp) throws IOException {
        Path sub = Files.createDirectories(tmp.resolve("cifar-100-binary"));
        Fixtures.writeCifar(sub.resolve("train.bin"), 100, 1, true);
        Fixtures.writeCifar(sub.resolve("test.bin"), 100, 1, true);
        DatasetIdentity fromParent = identity("cifar100", tmp, Map.of());
        assertEquals(2, fromParent.files());
        assertEquals(fromParent, identity("cifar100", sub, Map.of()));
        assertEquals(DatasetIdentity.digest(new TreeMap<>(Map.of("train.bin", 100L * 3074, "test.bin", 100L * 3074))),
                fromParent.sha256());
    }

    @Test
    void syntheticIdentityIsItsGeneratingOptionsWithDefaults() {
        DatasetIdentity id = identity("synthetic", null, Map.of("classes", "6", "trainPerClass", "2",
                "testPerClass", "1", "size", "8"));
        assertEquals(0, id.files());
        assertNull(id.sha256());
        assertEquals(Map.of("seed", "1", "classes", "6", "trainPerClass", "2", "testPerClass", "1", "size", "8",
                "pretrainClasses", "100", "rendition", "photo", "split", "benchmark"), id.generator());
    }
}
