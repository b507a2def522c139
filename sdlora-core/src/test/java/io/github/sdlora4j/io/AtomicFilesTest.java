package io.github.sdlora4j.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The temp-file, fsync and rename protocol: all or nothing, and no leftovers. */
class AtomicFilesTest {

    @TempDir
    Path dir;

    private List<Path> listing() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.sorted().toList();
        }
    }

    /** @return the bytes of {@code target}, freshly written as a checkpoint holding {@code w} */
    private static byte[] existing(Path target, INDArray w) throws IOException {
        SafetensorsWriter.write(target, Map.of("w", w));
        return Files.readAllBytes(target);
    }

    /** Asserts that {@code target} still holds {@code before} and that the folder holds nothing else. */
    private void assertOnlyUnchanged(Path target, byte[] before) throws IOException {
        assertArrayEquals(before, Files.readAllBytes(target));
        assertEquals(List.of(target), listing(), "no temp file left");
    }

    @Test
    void createsAndReplacesFiles() throws IOException {
        Path target = dir.resolve("out.csv");
        AtomicFiles.write(target, out -> out.write("a,b\n".getBytes(StandardCharsets.UTF_8)));
        assertEquals("a,b\n", Files.readString(target));
        AtomicFiles.write(target, out -> {
            out.write("c".getBytes(StandardCharsets.UTF_8));
            out.close(); // closing early is allowed; the content must still be complete
        });
        assertEquals("c", Files.readString(target));
        assertEquals(List.of(target), listing());
    }

    @Test
    void failingBodyLeavesTheExistingTargetByteIdenticalAndNoTempFile() throws IOException {
        Path target = dir.resolve("model.safetensors");
        byte[] before = existing(target, Nd4j.rand(3, 5));

        IOException failure = new IOException("disk full (simulated)");
        IOException thrown = assertThrows(IOException.class, () -> AtomicFiles.write(target, out -> {
            out.write(new byte[100_000]); // more than the stream buffer, so bytes reach the temp file
            throw failure;
        }));
        assertSame(failure, thrown);
        assertOnlyUnchanged(target, before);

        RuntimeException unchecked = new UncheckedIOException(new IOException("boom"));
        assertSame(unchecked, assertThrows(RuntimeException.class, () -> AtomicFiles.write(target, out -> {
            out.write(1);
            throw unchecked;
        })));
        assertOnlyUnchanged(target, before);
    }

    @Test
    void failingTensorWriteLeavesTheExistingCheckpointIntact() throws IOException {
        Path target = dir.resolve("ckpt.safetensors");
        byte[] before = existing(target, Nd4j.ones(2, 2));
        INDArray closed = Nd4j.ones(2, 2);
        closed.close(); // releasing the native buffer makes the data copy fail after the header was written
        assertThrows(RuntimeException.class, () -> SafetensorsWriter.write(target, Map.of("w", closed)));
        assertOnlyUnchanged(target, before);
    }

    @Test
    void failingBodyCreatesNoTargetWhenThereWasNone() throws IOException {
        Path target = dir.resolve("new.json");
        assertThrows(IOException.class, () -> AtomicFiles.write(target, out -> {
            throw new IOException("no");
        }));
        assertFalse(Files.exists(target));
        assertEquals(List.of(), listing());
    }

    @Test
    void newFilesGetDefaultPermissionsNotOwnerOnly() throws IOException {
        Path plain = Files.write(dir.resolve("plain.txt"), new byte[] {1});
        Path atomic = dir.resolve("atomic.txt");
        AtomicFiles.write(atomic, out -> out.write(1));
        Set<PosixFilePermission> expected = Files.getPosixFilePermissions(plain);
        assertEquals(expected, Files.getPosixFilePermissions(atomic));
    }

    @Test
    void rejectsDirectoriesAndMissingParents() throws IOException {
        assertThrows(IOException.class, () -> AtomicFiles.write(dir, out -> out.write(1)));
        IOException missing = assertThrows(IOException.class,
                () -> AtomicFiles.write(dir.resolve("nope").resolve("x.txt"), out -> out.write(1)));
        assertEquals(true, missing.getMessage().contains("does not exist"), missing.getMessage());
        assertEquals(List.of(), listing());
    }

    /** sysfs lets nobody, root included, create a file: the error names the target and why, not the temp file. */
    @Test
    void aFolderThatRefusesNewFilesIsReportedUnderTheTargetsName() {
        Path sys = Path.of("/sys");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(sys.resolve("kernel")), "needs Linux sysfs");
        Path target = sys.resolve("logits.npy");
        IOException e = assertThrows(IOException.class, () -> AtomicFiles.write(target, out -> out.write(1)));
        assertEquals(true, e.getMessage().startsWith("cannot write " + target + ": "), e.getMessage());
        assertEquals(false, e.getMessage().contains(".tmp"), e.getMessage());
        assertEquals(true, e.getMessage().contains("permission denied"), e.getMessage());
    }

    @Test
    void aFailingBodyKeepsItsOwnException() {
        IOException own = new IOException("the source ran dry");
        assertSame(own, assertThrows(IOException.class, () -> AtomicFiles.write(dir.resolve("x.bin"), out -> {
            out.write(1);
            throw own;
        })));
    }
}
