package io.github.sdlora4j.io;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The safetensors element types this library reads and writes, with their byte size, the ND4J type holding the
 * same bits, and a decoder from little-endian bytes. Other safetensors types (U16, U32, U64, F8_*) are rejected.
 */
public enum SafetensorsDtype {
    /** IEEE 754 double. */
    F64(8, DataType.DOUBLE) {
        @Override float toFloat(ByteBuffer le, int at) { return (float) le.getDouble(at); }
        @Override double toDouble(ByteBuffer le, int at) { return le.getDouble(at); }
    },
    /** IEEE 754 single. */
    F32(4, DataType.FLOAT) {
        @Override float toFloat(ByteBuffer le, int at) { return le.getFloat(at); }
    },
    /** IEEE 754 half (binary16). */
    F16(2, DataType.FLOAT16) {
        @Override float toFloat(ByteBuffer le, int at) { return HalfFloats.halfToFloat(le.getShort(at)); }
    },
    /** bfloat16: the upper 16 bits of an IEEE single. */
    BF16(2, DataType.BFLOAT16) {
        @Override float toFloat(ByteBuffer le, int at) { return HalfFloats.bfloat16ToFloat(le.getShort(at)); }
    },
    /** Signed 64-bit integer (values beyond 2^53 lose precision when decoded to floating point). */
    I64(8, DataType.INT64) {
        @Override float toFloat(ByteBuffer le, int at) { return le.getLong(at); }
        @Override double toDouble(ByteBuffer le, int at) { return le.getLong(at); }
    },
    /** Signed 32-bit integer. */
    I32(4, DataType.INT32) {
        @Override float toFloat(ByteBuffer le, int at) { return le.getInt(at); }
        @Override double toDouble(ByteBuffer le, int at) { return le.getInt(at); }
    },
    /** Signed 16-bit integer. */
    I16(2, DataType.INT16) {
        @Override float toFloat(ByteBuffer le, int at) { return le.getShort(at); }
    },
    /** Signed 8-bit integer. */
    I8(1, DataType.INT8) {
        @Override float toFloat(ByteBuffer le, int at) { return le.get(at); }
    },
    /** Unsigned 8-bit integer. */
    U8(1, DataType.UINT8) {
        @Override float toFloat(ByteBuffer le, int at) { return le.get(at) & 0xFF; }
    },
    /** Boolean, one byte per element; any non-zero byte decodes to 1. */
    BOOL(1, DataType.BOOL) {
        @Override float toFloat(ByteBuffer le, int at) { return le.get(at) != 0 ? 1f : 0f; }
    };

    /** The names accepted in a header, for error messages. */
    static final String SUPPORTED_NAMES =
            Arrays.stream(values()).map(Enum::name).collect(Collectors.joining(", "));

    /** The matching ND4J types, for error messages. */
    static final String SUPPORTED_ND4J_TYPES =
            Arrays.stream(values()).map(d -> d.nd4jType().toString()).collect(Collectors.joining(", "));

    private final int byteSize;
    private final DataType nd4jType;

    SafetensorsDtype(int byteSize, DataType nd4jType) {
        this.byteSize = byteSize;
        this.nd4jType = nd4jType;
    }

    /**
     * Returns the size of one element in bytes.
     *
     * @return bytes per element
     */
    public int byteSize() {
        return byteSize;
    }

    /**
     * Returns the ND4J type whose elements have exactly this type's bits.
     *
     * @return the matching ND4J data type
     */
    public DataType nd4jType() {
        return nd4jType;
    }

    /**
     * Looks up a header dtype name (case-sensitive, as the format requires).
     *
     * @param name the dtype string from a header, e.g. {@code "F32"}
     * @return the type, or empty if the name is not supported
     */
    public static Optional<SafetensorsDtype> fromName(String name) {
        for (SafetensorsDtype d : values()) {
            if (d.name().equals(name)) {
                return Optional.of(d);
            }
        }
        return Optional.empty();
    }

    /**
     * Returns the safetensors type that stores the given ND4J type bit for bit.
     *
     * @param type an ND4J data type
     * @return the matching safetensors type, or empty if there is none (e.g. UTF8, UINT32)
     */
    public static Optional<SafetensorsDtype> forNd4jType(DataType type) {
        for (SafetensorsDtype d : values()) {
            if (d.nd4jType == type) {
                return Optional.of(d);
            }
        }
        return Optional.empty();
    }

    /** Decodes the element starting at byte {@code at} of a little-endian buffer to float. */
    abstract float toFloat(ByteBuffer le, int at);

    /**
     * Decodes the element starting at byte {@code at} of a little-endian buffer to double: the float value, widened
     * exactly, except for the types a float cannot hold exactly (F64, I64, I32), which decode themselves.
     */
    double toDouble(ByteBuffer le, int at) {
        return toFloat(le, at);
    }
}
