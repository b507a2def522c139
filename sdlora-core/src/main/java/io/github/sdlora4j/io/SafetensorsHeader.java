package io.github.sdlora4j.io;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The parsed and fully validated header of a safetensors file. Every check runs before any tensor data is touched,
 * and the header bytes are only allocated once their declared length is known to fit in the file.
 *
 * @param headerLength the JSON header's length in bytes (excluding the 8-byte prefix)
 * @param dataLength   the length of the tensor data that follows the header
 * @param tensors      the tensors in header order
 * @param dtypes       each tensor's parsed dtype
 * @param metadata     the {@code __metadata__} entries in header order (empty if absent)
 */
record SafetensorsHeader(long headerLength, long dataLength, Map<String, TensorInfo> tensors,
                         Map<String, SafetensorsDtype> dtypes, Map<String, String> metadata) {

    /** The largest header accepted; the same bound as the reference Rust implementation. */
    static final long MAX_HEADER_BYTES = 100_000_000L;

    /** The size of the little-endian unsigned header length that starts every file. */
    static final int PREFIX_BYTES = 8;

    static final String METADATA_KEY = "__metadata__";

    /** Rejects duplicate names and trailing garbage; lets single strings use the whole header (default 20 MB). */
    private static final JsonMapper JSON = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder()
                            .maxStringLength((int) MAX_HEADER_BYTES).build())
                    .build())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    /** Reads and validates the header of {@code file} through its open channel. */
    static SafetensorsHeader read(Path file, FileChannel channel) throws IOException {
        long fileSize = channel.size();
        if (fileSize < PREFIX_BYTES) {
            throw new SafetensorsFormatException(file, "file is " + fileSize + " bytes, shorter than the "
                    + PREFIX_BYTES + "-byte header length prefix (truncated or not a safetensors file)");
        }
        ByteBuffer prefix = ByteBuffer.allocate(PREFIX_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        readFully(channel, prefix, 0);
        long headerLength = prefix.getLong(0);
        // Compare unsigned: a value >= 2^63 reads as negative and must be rejected as too large, not as too small.
        if (Long.compareUnsigned(headerLength, MAX_HEADER_BYTES) > 0) {
            throw new SafetensorsFormatException(file, "header length " + Long.toUnsignedString(headerLength)
                    + " exceeds the limit of " + MAX_HEADER_BYTES + " bytes (corrupt or not a safetensors file)");
        }
        if (headerLength < 2) {
            throw new SafetensorsFormatException(file, "header length " + headerLength
                    + " is below the minimum of 2 bytes (the empty JSON object {})");
        }
        long available = fileSize - PREFIX_BYTES;
        if (headerLength > available) {
            throw new SafetensorsFormatException(file, "header length " + headerLength + " exceeds the "
                    + available + " bytes that follow the length prefix (file truncated?)");
        }
        ByteBuffer headerBytes = ByteBuffer.allocate((int) headerLength);
        readFully(channel, headerBytes, PREFIX_BYTES);
        long dataLength = available - headerLength;
        return parse(file, headerBytes.array(), headerLength, dataLength);
    }

    private static SafetensorsHeader parse(Path file, byte[] bytes, long headerLength, long dataLength)
            throws SafetensorsFormatException {
        JsonNode root = parseJson(file, bytes);
        if (!root.isObject()) {
            throw new SafetensorsFormatException(file, "header must be a JSON object, found a JSON "
                    + root.getNodeType().name().toLowerCase());
        }
        Map<String, TensorInfo> tensors = new LinkedHashMap<>();
        Map<String, SafetensorsDtype> dtypes = new LinkedHashMap<>();
        Map<String, String> metadata = Map.of();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            if (METADATA_KEY.equals(field.getKey())) {
                metadata = parseMetadata(file, field.getValue());
            } else {
                TensorInfo info = parseTensor(file, field.getKey(), field.getValue(), dtypes, dataLength);
                tensors.put(info.name(), info);
            }
        }
        checkTiling(file, tensors.values(), dataLength);
        return new SafetensorsHeader(headerLength, dataLength, Collections.unmodifiableMap(tensors),
                Collections.unmodifiableMap(dtypes), metadata);
    }

    private static JsonNode parseJson(Path file, byte[] bytes) throws SafetensorsFormatException {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new SafetensorsFormatException(file, "header is not valid UTF-8", e);
        }
        try {
            JsonNode root = JSON.readTree(text);
            if (root == null || root.isMissingNode()) {
                throw new SafetensorsFormatException(file, "header is blank, expected a JSON object");
            }
            return root;
        } catch (JacksonException e) {
            throw new SafetensorsFormatException(file, "header is not valid JSON: " + e.getOriginalMessage(), e);
        }
    }

    private static Map<String, String> parseMetadata(Path file, JsonNode node) throws SafetensorsFormatException {
        if (node.isNull()) {
            return Map.of();
        }
        if (!node.isObject()) {
            throw new SafetensorsFormatException(file, METADATA_KEY + " must be a JSON object of strings, found a "
                    + describe(node));
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isTextual()) {
                throw new SafetensorsFormatException(file, METADATA_KEY + " value for key '" + e.getKey()
                        + "' must be a string, found a " + describe(e.getValue()));
            }
            metadata.put(e.getKey(), e.getValue().textValue());
        }
        return Collections.unmodifiableMap(metadata);
    }

    private static TensorInfo parseTensor(Path file, String name, JsonNode node,
                                          Map<String, SafetensorsDtype> dtypes, long dataLength)
            throws SafetensorsFormatException {
        String where = "tensor '" + name + "'";
        if (!node.isObject()) {
            throw new SafetensorsFormatException(file, where + " must be a JSON object with dtype, shape and "
                    + "data_offsets, found a " + describe(node));
        }
        JsonNode dtypeNode = node.get("dtype");
        if (dtypeNode == null || !dtypeNode.isTextual()) {
            throw new SafetensorsFormatException(file, where + (dtypeNode == null ? " has no \"dtype\""
                    : " has a \"dtype\" that is a " + describe(dtypeNode) + ", not a string")
                    + "; supported dtypes: " + SafetensorsDtype.SUPPORTED_NAMES);
        }
        String dtypeName = dtypeNode.textValue();
        SafetensorsDtype dtype = SafetensorsDtype.fromName(dtypeName).orElseThrow(() ->
                new SafetensorsFormatException(file, where + " has unsupported dtype '" + dtypeName
                        + "'; supported dtypes: " + SafetensorsDtype.SUPPORTED_NAMES));
        long[] shape = nonNegativeLongs(file, where, "shape", node.get("shape"), -1);
        long[] offsets = nonNegativeLongs(file, where, "data_offsets", node.get("data_offsets"), 2);
        long begin = offsets[0];
        long end = offsets[1];
        if (begin > end) {
            throw new SafetensorsFormatException(file, where + " has data_offsets [" + begin + ", " + end
                    + "] whose begin is after its end");
        }
        if (end > dataLength) {
            throw new SafetensorsFormatException(file, where + " has data_offsets [" + begin + ", " + end
                    + "] beyond the " + dataLength + " bytes of tensor data in the file (file truncated?)");
        }
        long expectedBytes = byteCount(shape, dtype.byteSize());
        if (expectedBytes != end - begin) {
            throw new SafetensorsFormatException(file, where + " declares dtype " + dtypeName + " and shape "
                    + Arrays.toString(shape) + " (" + (expectedBytes < 0 ? "more than 2^63" : expectedBytes)
                    + " bytes) but its data_offsets span " + (end - begin) + " bytes");
        }
        dtypes.put(name, dtype);
        return new TensorInfo(name, dtypeName, shape, begin, end);
    }

    /** Returns the tensor's byte count, or -1 if it overflows a long (such a tensor cannot be in any file). */
    private static long byteCount(long[] shape, int elementSize) {
        try {
            long n = elementSize;
            for (long d : shape) {
                n = Math.multiplyExact(n, d);
            }
            return n;
        } catch (ArithmeticException e) {
            return -1;
        }
    }

    private static long[] nonNegativeLongs(Path file, String where, String key, JsonNode node, int requiredLength)
            throws SafetensorsFormatException {
        String expected = requiredLength < 0 ? "an array of non-negative integers"
                : "an array of " + requiredLength + " non-negative integers";
        if (node == null) {
            throw new SafetensorsFormatException(file, where + " has no \"" + key + "\" (expected " + expected + ")");
        }
        if (!node.isArray() || (requiredLength >= 0 && node.size() != requiredLength)) {
            throw new SafetensorsFormatException(file, where + " has \"" + key + "\" "
                    + abbreviate(node.toString()) + ", expected " + expected);
        }
        long[] values = new long[node.size()];
        for (int i = 0; i < values.length; i++) {
            JsonNode v = node.get(i);
            if (!v.isIntegralNumber() || !v.canConvertToLong() || v.longValue() < 0) {
                throw new SafetensorsFormatException(file, where + " has \"" + key + "\" "
                        + abbreviate(node.toString()) + ", expected " + expected);
            }
            values[i] = v.longValue();
        }
        return values;
    }

    /** Checks that the tensors' byte ranges cover the data exactly once, as a valid file requires. */
    private static void checkTiling(Path file, Iterable<TensorInfo> tensors, long dataLength)
            throws SafetensorsFormatException {
        List<TensorInfo> sorted = new ArrayList<>();
        tensors.forEach(sorted::add);
        sorted.sort(Comparator.comparingLong(TensorInfo::begin).thenComparingLong(TensorInfo::end));
        long expected = 0;
        TensorInfo previous = null;
        for (TensorInfo t : sorted) {
            if (t.begin() < expected) {
                throw new SafetensorsFormatException(file, "tensors '" + previous.name() + "' " + range(previous)
                        + " and '" + t.name() + "' " + range(t) + " have overlapping data_offsets");
            }
            if (t.begin() > expected) {
                throw new SafetensorsFormatException(file, "gap of " + (t.begin() - expected) + " bytes in the "
                        + "tensor data before tensor '" + t.name() + "' " + range(t) + ": expected it to begin at "
                        + expected);
            }
            expected = t.end();
            previous = t;
        }
        if (expected != dataLength) {
            throw new SafetensorsFormatException(file, (dataLength - expected) + " trailing bytes after the last "
                    + "tensor's data: the tensors cover " + expected + " of the " + dataLength + " data bytes");
        }
    }

    private static String range(TensorInfo t) {
        return "[" + t.begin() + ", " + t.end() + "]";
    }

    private static String describe(JsonNode node) {
        return "JSON " + node.getNodeType().name().toLowerCase() + " (" + abbreviate(node.toString()) + ")";
    }

    private static String abbreviate(String s) {
        return s.length() <= 60 ? s : s.substring(0, 57) + "...";
    }

    private static void readFully(FileChannel channel, ByteBuffer into, long position) throws IOException {
        long at = position;
        while (into.hasRemaining()) {
            int n = channel.read(into, at);
            if (n < 0) {
                throw new EOFException("unexpected end of file at byte " + at);
            }
            at += n;
        }
    }
}
