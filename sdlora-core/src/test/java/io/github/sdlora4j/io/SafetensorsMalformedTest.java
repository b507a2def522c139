package io.github.sdlora4j.io;

import static io.github.sdlora4j.io.SafetensorsTestFiles.floats;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.factory.Nd4j;

/** Every malformed file is rejected at open with a {@link SafetensorsFormatException} naming the file and problem. */
class SafetensorsMalformedTest {

    private static final String FILE_NAME = "broken.safetensors";

    @TempDir
    Path dir;

    private Path file() {
        return dir.resolve(FILE_NAME);
    }

    /** Asserts that opening fails with a message naming the file and containing every fragment. */
    private void assertRejected(Path file, String... fragments) {
        SafetensorsFormatException e = assertThrows(SafetensorsFormatException.class, () -> {
            try (SafetensorsFile ignored = SafetensorsFile.open(file)) {
                // open alone must fail
            }
        });
        String message = e.getMessage();
        assertTrue(message.startsWith(file.toString() + ": "), message);
        assertTrue(e.file().equals(file), "exception carries the file");
        for (String fragment : fragments) {
            assertTrue(message.contains(fragment), "'" + fragment + "' missing from: " + message);
        }
    }

    private Path withHeader(String header, byte[] data) throws IOException {
        return SafetensorsTestFiles.write(file(), header, data);
    }

    private static String tensor(String name, String dtype, String shape, long begin, long end) {
        return "\"" + name + "\":{\"dtype\":\"" + dtype + "\",\"shape\":" + shape + ",\"data_offsets\":[" + begin
                + "," + end + "]}";
    }

    @Test
    void truncatedBeforeTheLengthPrefixEnds() throws IOException {
        Files.write(file(), new byte[] {2, 0, 0});
        assertRejected(file(), "3 bytes", "8-byte header length");
    }

    @Test
    void truncatedWriterOutput() throws IOException {
        Path good = dir.resolve("good.safetensors");
        SafetensorsWriter.write(good, Map.of("w", Nd4j.ones(4, 4)));
        byte[] bytes = Files.readAllBytes(good);
        Files.write(file(), Arrays.copyOf(bytes, bytes.length - 5));
        assertRejected(file(), "tensor 'w'", "beyond", "truncated");
    }

    /** Asserts that a file whose 8-byte prefix declares {@code length} before {@code header} (no data) is rejected. */
    private void assertHeaderLengthRejected(long length, String header, String... fragments) throws IOException {
        SafetensorsTestFiles.writeRaw(file(), length, header.getBytes(StandardCharsets.UTF_8), new byte[0]);
        assertRejected(file(), fragments);
    }

    @Test
    void headerLengthBeyondFileSize() throws IOException {
        assertHeaderLengthRejected(500, "{}", "header length 500", "2 bytes");
    }

    @Test
    void hugeHeaderLengthIsRejectedWithoutAllocating() throws IOException {
        // Allocating 2^62 bytes would throw OutOfMemoryError instead; the check must come first and be instant.
        assertTimeoutPreemptively(Duration.ofSeconds(5),
                () -> assertHeaderLengthRejected(1L << 62, "{}", "header length " + (1L << 62), "limit of 100000000"));
        assertHeaderLengthRejected(-1L, "{}", "header length 18446744073709551615");
    }

    @Test
    void headerLengthBelowMinimum() throws IOException {
        assertHeaderLengthRejected(1, "{", "header length 1", "minimum of 2");
    }

    @Test
    void headerThatIsNotJson() throws IOException {
        assertRejected(withHeader("{\"a\": nope}", new byte[0]), "not valid JSON");
        assertRejected(withHeader("{} {}", new byte[0]), "not valid JSON");
        assertRejected(withHeader("  ", new byte[0]), "blank");
        Files.write(file(), new byte[] {2, 0, 0, 0, 0, 0, 0, 0, (byte) 0xC3, (byte) 0x28});
        assertRejected(file(), "UTF-8");
    }

    @Test
    void headerThatIsAJsonArray() throws IOException {
        assertRejected(withHeader("[1, 2]", new byte[0]), "must be a JSON object", "array");
    }

    @Test
    void duplicateTensorNames() throws IOException {
        String header = "{" + tensor("a", "F32", "[1]", 0, 4) + "," + tensor("a", "F32", "[1]", 4, 8) + "}";
        assertRejected(withHeader(header, floats(1, 2)), "not valid JSON", "Duplicate field 'a'");
    }

    @Test
    void missingDtype() throws IOException {
        assertRejected(withHeader("{\"w\":{\"shape\":[1],\"data_offsets\":[0,4]}}", floats(1)),
                "tensor 'w'", "no \"dtype\"");
    }

    @Test
    void unsupportedDtypeIsNamedAlongWithTheSupportedOnes() throws IOException {
        assertRejected(withHeader("{" + tensor("w", "F8_E4M3", "[4]", 0, 4) + "}", new byte[4]),
                "tensor 'w'", "unsupported dtype 'F8_E4M3'", "F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL");
    }

    @Test
    void missingOrInvalidShapeAndOffsets() throws IOException {
        assertRejected(withHeader("{\"w\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}", floats(1)),
                "tensor 'w'", "no \"shape\"");
        assertRejected(withHeader("{" + tensor("w", "F32", "[-1]", 0, 4) + "}", floats(1)),
                "tensor 'w'", "\"shape\" [-1]", "non-negative integers");
        assertRejected(withHeader("{" + tensor("w", "F32", "[1.5]", 0, 4) + "}", floats(1)),
                "\"shape\" [1.5]");
        assertRejected(withHeader("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0]}}", floats(1)),
                "\"data_offsets\" [0]", "array of 2 non-negative integers");
        assertRejected(withHeader("{\"w\":[1,2]}", floats(1)), "tensor 'w' must be a JSON object");
    }

    @Test
    void shapeThatDoesNotMatchItsOffsets() throws IOException {
        String header = "{" + tensor("blocks.0.attn.qkv.weight", "F32", "[2304,768]", 0, 100) + "}";
        assertRejected(withHeader(header, new byte[100]),
                "tensor 'blocks.0.attn.qkv.weight' declares dtype F32 and shape [2304, 768] (7077888 bytes) "
                        + "but its data_offsets span 100 bytes");
        String overflowing = "{" + tensor("big", "F64", "[4611686018427387904,4]", 0, 8) + "}";
        assertRejected(withHeader(overflowing, new byte[8]), "tensor 'big'", "more than 2^63");
    }

    @Test
    void overlappingOffsets() throws IOException {
        String header = "{" + tensor("a", "F32", "[2]", 0, 8) + "," + tensor("b", "F32", "[2]", 4, 12) + "}";
        assertRejected(withHeader(header, new byte[12]), "'a' [0, 8]", "'b' [4, 12]", "overlapping");
    }

    @Test
    void offsetsBeyondTheData() throws IOException {
        assertRejected(withHeader("{" + tensor("a", "F32", "[2]", 4, 12) + "}", new byte[8]),
                "tensor 'a'", "[4, 12]", "beyond the 8 bytes");
        assertRejected(withHeader("{" + tensor("a", "F32", "[0]", 5, 4) + "}", new byte[8]),
                "tensor 'a'", "begin is after its end");
    }

    @Test
    void gapBetweenTensors() throws IOException {
        String header = "{" + tensor("a", "F32", "[1]", 0, 4) + "," + tensor("b", "F32", "[1]", 8, 12) + "}";
        assertRejected(withHeader(header, new byte[12]), "gap of 4 bytes", "tensor 'b'");
    }

    @Test
    void trailingBytesAfterTheLastTensor() throws IOException {
        assertRejected(withHeader("{" + tensor("a", "F32", "[1]", 0, 4) + "}", new byte[7]),
                "3 trailing bytes", "cover 4 of the 7");
    }

    @Test
    void nonStringMetadataValue() throws IOException {
        assertRejected(withHeader("{\"__metadata__\":{\"epoch\":3}}", new byte[0]),
                "__metadata__ value for key 'epoch' must be a string", "number");
        assertRejected(withHeader("{\"__metadata__\":[\"x\"]}", new byte[0]), "__metadata__ must be a JSON object");
    }

    @Test
    void missingFileIsNotAFormatError() {
        assertThrows(NoSuchFileException.class, () -> SafetensorsFile.open(dir.resolve("absent.safetensors")));
        assertThrows(NoSuchFileException.class, () -> SafetensorsFile.open(dir));
    }
}
