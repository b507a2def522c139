package io.github.sdlora4j.examples;

import io.github.sdlora4j.io.AtomicFiles;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * numpy's {@code .npy} format for little-endian float32 C-order arrays (what {@code predict} reads and writes):
 * magic {@code \x93NUMPY}, version 1.0, a 2-byte header length, an ASCII dict header padded with spaces to a
 * multiple of 64 bytes and ending in a newline, then the raw data.
 *
 * <p>Writing is ND4J's ({@link Nd4j#toNpyByteArray}). Reading is not: ND4J 1.0.0-M2.1's
 * {@link Nd4j#createFromNpyFile} trusts the header, so on a user's file it
 * <ul>
 *   <li>kills the JVM (SIGSEGV in native code) when the data is shorter than the header's shape says, e.g. a
 *       truncated download: it reads past the end of the mapped file;</li>
 *   <li>silently returns other values for a Fortran-order file (it ignores {@code fortran_order});</li>
 *   <li>silently returns a float64 array for {@code <f8}, and an array of shape {@code [2, 0]} for a malformed shape
 *       such as {@code (2, x)}.</li>
 * </ul>
 * This reader checks the header and the file size first and names the file and what is wrong ({@code NpyTest} runs
 * ND4J's reader on a truncated file in a child JVM to show the crash).
 */
public final class Npy {

    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern ORDER = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");
    private static final long MAX_ELEMENTS = Integer.MAX_VALUE - 8;

    private Npy() {
    }

    /**
     * Reads a float32 array.
     *
     * @throws IOException naming the file and what is wrong (not .npy, unsupported version, dtype other than
     *                     {@code <f4}, Fortran order, size mismatch)
     */
    public static INDArray readFloat32(Path file) throws IOException {
        try {
            return read(file);
        } catch (EOFException e) {
            throw new IOException(file + ": not a complete .npy file: its " + Files.size(file) + " bytes end inside"
                    + " the header", e);
        } catch (NoSuchFileException e) {
            throw new IOException(file + " does not exist", e);
        }
    }

    private static INDArray read(Path file) throws IOException {
        try (InputStream raw = Files.newInputStream(file); DataInputStream in = new DataInputStream(raw)) {
            byte[] magic = new byte[MAGIC.length];
            in.readFully(magic);
            if (!Arrays.equals(magic, MAGIC)) {
                throw new IOException(file + ": not a .npy file (expected the magic \\x93NUMPY)");
            }
            int major = in.readUnsignedByte();
            int minor = in.readUnsignedByte();
            int headerLength;
            if (major == 1) {
                headerLength = Short.toUnsignedInt(Short.reverseBytes(in.readShort()));
            } else if (major == 2 || major == 3) {
                headerLength = Integer.reverseBytes(in.readInt());
            } else {
                throw new IOException(file + ": unsupported .npy version " + major + "." + minor);
            }
            if (headerLength < 0 || headerLength > 1 << 20) {
                throw new IOException(file + ": implausible .npy header length " + headerLength);
            }
            byte[] headerBytes = new byte[headerLength];
            in.readFully(headerBytes);
            String header = new String(headerBytes, StandardCharsets.ISO_8859_1);
            String descr = group(DESCR, header, file, "descr");
            if (!descr.equals("<f4") && !descr.equals("=f4")) {
                throw new IOException(file + ": dtype is '" + descr + "', expected float32 ('<f4'); convert with"
                        + " x.astype(numpy.float32)");
            }
            if (group(ORDER, header, file, "fortran_order").equals("True")) {
                throw new IOException(file + ": array is in Fortran order; save numpy.ascontiguousarray(x)");
            }
            long[] shape = parseShape(group(SHAPE, header, file, "shape"), file);
            long n = Arrays.stream(shape).reduce(1L, Math::multiplyExact);
            if (n > MAX_ELEMENTS) {
                throw new IOException(file + ": " + n + " elements is too many for one array");
            }
            byte[] data = in.readNBytes((int) n * 4);
            if (data.length != n * 4) {
                throw new IOException(file + ": truncated: shape " + Arrays.toString(shape) + " needs " + n * 4
                        + " data bytes, found " + data.length);
            }
            if (in.read() != -1) {
                throw new IOException(file + ": has bytes beyond the " + Arrays.toString(shape) + " array");
            }
            float[] values = new float[(int) n];
            ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
            return Nd4j.create(values, shape, 'c');
        }
    }

    /** Writes {@code array} as float32 (C order), atomically. */
    public static void writeFloat32(Path file, INDArray array) throws IOException {
        byte[] bytes = Nd4j.toNpyByteArray(array.castTo(DataType.FLOAT).dup('c'));
        AtomicFiles.write(file, out -> out.write(bytes));
    }

    private static String group(Pattern p, String header, Path file, String key) throws IOException {
        Matcher m = p.matcher(header);
        if (!m.find()) {
            throw new IOException(file + ": .npy header has no '" + key + "': " + header.strip());
        }
        return m.group(1);
    }

    private static long[] parseShape(String text, Path file) throws IOException {
        String[] parts = Arrays.stream(text.split(",")).map(String::strip).filter(p -> !p.isEmpty())
                .toArray(String[]::new);
        long[] shape = new long[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                shape[i] = Long.parseLong(parts[i]);
            } catch (NumberFormatException e) {
                shape[i] = -1;
            }
            if (shape[i] < 0) {
                throw new IOException(file + ": bad .npy shape (" + text + ")");
            }
        }
        return shape;
    }
}
