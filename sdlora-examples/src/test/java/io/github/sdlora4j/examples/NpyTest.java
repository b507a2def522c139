package io.github.sdlora4j.examples;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NpyTest {

    @TempDir
    Path dir;

    @Test
    void roundTripsFloat32WithAnAlignedVersion1Header() throws IOException {
        INDArray a = Nd4j.rand(DataType.FLOAT, 2, 3, 4, 5);
        Path f = dir.resolve("a.npy");
        Npy.writeFloat32(f, a);
        byte[] bytes = Files.readAllBytes(f);
        assertEquals((byte) 0x93, bytes[0]);
        assertEquals(1, bytes[6]);
        int headerLength = (bytes[8] & 0xFF) | (bytes[9] & 0xFF) << 8;
        assertEquals(0, (10 + headerLength) % 64, "data must start at a multiple of 64 bytes");
        String header = new String(bytes, 10, headerLength, StandardCharsets.ISO_8859_1);
        assertTrue(header.contains("'shape': (2, 3, 4, 5)") && header.endsWith("\n"), header);
        assertEquals(10 + headerLength + a.length() * 4, bytes.length);
        INDArray back = Npy.readFloat32(f);
        assertArrayEquals(a.shape(), back.shape());
        assertEquals(a, back);
    }

    @Test
    void oneDimensionalShapeUsesPythonTupleSyntax() throws IOException {
        Path f = dir.resolve("v.npy");
        Npy.writeFloat32(f, Nd4j.createFromArray(1f, 2f, 3f));
        String text = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
        assertTrue(text.contains("'shape': (3,)"), text);
        assertArrayEquals(new long[]{3}, Npy.readFloat32(f).shape());
    }

    @Test
    void rejectsOtherDtypesFortranOrderTruncationAndNonNpy() throws IOException {
        Path f64 = dir.resolve("d.npy");
        Files.write(f64, npy("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }", 8));
        IOException e = assertThrows(IOException.class, () -> Npy.readFloat32(f64));
        assertTrue(e.getMessage().contains("'<f8'") && e.getMessage().contains("float32"), e.getMessage());
        Path fortran = dir.resolve("f.npy");
        Files.write(fortran, npy("{'descr': '<f4', 'fortran_order': True, 'shape': (1,), }", 4));
        assertTrue(assertThrows(IOException.class, () -> Npy.readFloat32(fortran)).getMessage().contains("Fortran"));
        Path truncated = dir.resolve("t.npy");
        Files.write(truncated, npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }", 12));
        assertTrue(assertThrows(IOException.class, () -> Npy.readFloat32(truncated)).getMessage()
                .contains("truncated"));
        Path text = dir.resolve("x.npy");
        Files.writeString(text, "hello, not numpy");
        assertTrue(assertThrows(IOException.class, () -> Npy.readFloat32(text)).getMessage().contains("not a .npy"));
    }

    /**
     * Why {@link Npy} reads .npy itself: ND4J's reader trusts the header. A file whose data is shorter than its shape
     * (a truncated download) kills a JVM in native code; a Fortran-order file comes back with other values. If this
     * test fails, ND4J has fixed its reader and {@link Npy#readFloat32} could use it.
     */
    @Test
    void nd4jsReaderCrashesTheJvmOnATruncatedFileWhereOursNamesTheProblem() throws Exception {
        Path truncated = dir.resolve("truncated.npy");
        Files.write(truncated, npy(aligned("{'descr': '<f4', 'fortran_order': False, 'shape': (4000, 4000), }"), 8));
        IOException ours = assertThrows(IOException.class, () -> Npy.readFloat32(truncated));
        assertTrue(ours.getMessage().contains("truncated") && ours.getMessage().contains("64000000"),
                ours.getMessage());

        Path log = dir.resolve("child.log");
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-XX:ErrorFile=" + dir.resolve("hs_err.log"), "-XX:-CreateCoredumpOnCrash",
                "-cp", System.getProperty("java.class.path"), Nd4jNpyRead.class.getName(), truncated.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertTrue(child.waitFor(120, java.util.concurrent.TimeUnit.SECONDS), "the child JVM hung");
        String out = Files.readString(log);
        assertFalse(out.contains(Nd4jNpyRead.RETURNED), "ND4J read the truncated file without crashing: " + out);
        assertTrue(child.exitValue() != 0 && out.contains("outside the Java Virtual Machine in native code"),
                "exit " + child.exitValue() + ": " + out);

        // A Fortran-order [2, 3] array holds its columns one after the other: ND4J reads it as if it were C order.
        Path fortran = dir.resolve("fortran.npy");
        byte[] f = npy(aligned("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }"), 24);
        java.nio.ByteBuffer.wrap(f, f.length - 24, 24).order(java.nio.ByteOrder.LITTLE_ENDIAN).asFloatBuffer()
                .put(new float[]{1, 4, 2, 5, 3, 6}); // numpy: [[1, 2, 3], [4, 5, 6]]
        Files.write(fortran, f);
        assertEquals(Nd4j.createFromArray(new float[][]{{1, 4, 2}, {5, 3, 6}}),
                Nd4j.createFromNpyFile(fortran.toFile()));
        assertTrue(assertThrows(IOException.class, () -> Npy.readFloat32(fortran)).getMessage().contains("Fortran"));
    }

    /** Reads a file with ND4J's reader in a child JVM. */
    public static final class Nd4jNpyRead {
        static final String RETURNED = "ND4J returned";

        public static void main(String[] args) {
            INDArray a = Nd4j.createFromNpyFile(Path.of(args[0]).toFile());
            System.out.println(RETURNED + " " + java.util.Arrays.toString(a.shape()));
        }
    }

    /** The dict padded as numpy writes it: data at a multiple of 64 bytes, a newline last. */
    private static String aligned(String dict) {
        int unpadded = 10 + dict.length() + 1;
        return dict + " ".repeat((64 - unpadded % 64) % 64) + "\n";
    }

    private static byte[] npy(String dict, int dataBytes) {
        byte[] h = dict.getBytes(StandardCharsets.ISO_8859_1);
        byte[] out = new byte[10 + h.length + dataBytes];
        out[0] = (byte) 0x93;
        System.arraycopy("NUMPY".getBytes(StandardCharsets.ISO_8859_1), 0, out, 1, 5);
        out[6] = 1;
        out[8] = (byte) h.length;
        System.arraycopy(h, 0, out, 10, h.length);
        return out;
    }
}
