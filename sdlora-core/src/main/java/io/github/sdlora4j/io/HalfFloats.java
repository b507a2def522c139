package io.github.sdlora4j.io;

/** Bit-exact conversions from 16-bit floating-point formats (Java 17 has no {@code Float.float16ToFloat}). */
final class HalfFloats {

    private HalfFloats() {
    }

    /** Converts IEEE 754 binary16 bits to float; exact for every value, including subnormals, infinities and NaN. */
    static float halfToFloat(short bits) {
        int h = bits & 0xFFFF;
        int sign = (h & 0x8000) << 16;
        int exponent = (h >>> 10) & 0x1F;
        int mantissa = h & 0x3FF;
        if (exponent == 0x1F) {
            // Infinity or NaN: keep the payload in the top mantissa bits so NaNs stay NaNs.
            return Float.intBitsToFloat(sign | 0x7F80_0000 | (mantissa << 13));
        }
        if (exponent == 0) {
            // Zero or subnormal: value = mantissa * 2^-24, exactly representable as a float.
            float magnitude = mantissa * 0x1p-24f;
            return sign == 0 ? magnitude : -magnitude;
        }
        return Float.intBitsToFloat(sign | ((exponent + 112) << 23) | (mantissa << 13));
    }

    /** Converts bfloat16 bits to float: they are the upper half of the float's bits. */
    static float bfloat16ToFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xFFFF) << 16);
    }
}
