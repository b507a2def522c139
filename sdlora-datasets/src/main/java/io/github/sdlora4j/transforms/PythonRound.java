package io.github.sdlora4j.transforms;

/**
 * Python 3's {@code int(round(x))}, which torchvision's transforms use for crop sizes and offsets: halves round to
 * the even neighbour ({@code round(2.5) == 2}), unlike {@link Math#round(double)}, which rounds them up.
 */
final class PythonRound {

    private PythonRound() {
    }

    /** {@code int(round(x))} for values within int range. */
    static int toInt(double x) {
        return (int) Math.rint(x);
    }
}
