package io.github.sdlora4j.datavec;

import io.github.sdlora4j.data.RawImage;
import org.datavec.api.writable.NDArrayWritable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Converts between our {@link RawImage} and DataVec's image writable: an {@link NDArrayWritable} of shape
 * {@code [1, C, H, W]} holding pixel values 0–255 as floats, the layout of DataVec's {@code ImageRecordReader}.
 */
final class RecordImages {

    private RecordImages() {
    }

    /** @return {@code image} as a {@code [1, C, H, W]} float array of pixel values 0–255 */
    static NDArrayWritable toWritable(RawImage image) {
        byte[] px = image.pixels();
        float[] values = new float[px.length];
        for (int i = 0; i < px.length; i++) {
            values[i] = px[i] & 0xFF;
        }
        return new NDArrayWritable(Nd4j.create(values,
                new long[] {1, image.channels(), image.height(), image.width()}, 'c'));
    }

    /**
     * @param array {@code [1, C, H, W]}, {@code [C, H, W]} or {@code [H, W]} pixel values 0–255, C = 1 or 3
     * @return the image, or {@code null} with the reason in {@code problem[0]} when the array is none of these
     */
    static RawImage fromArray(INDArray array, String[] problem) {
        long[] s = array.shape();
        long c;
        long h;
        long w;
        if (s.length == 4 && s[0] == 1) {
            c = s[1];
            h = s[2];
            w = s[3];
        } else if (s.length == 3) {
            c = s[0];
            h = s[1];
            w = s[2];
        } else if (s.length == 2) {
            c = 1;
            h = s[0];
            w = s[1];
        } else {
            problem[0] = "an image array of shape [1, C, H, W], [C, H, W] or [H, W], found shape "
                    + java.util.Arrays.toString(s);
            return null;
        }
        if (c != 1 && c != 3) {
            problem[0] = "an image with 1 or 3 channels, found " + c + " (shape " + java.util.Arrays.toString(s) + ")";
            return null;
        }
        float[] v = array.castTo(DataType.FLOAT).dup('c').data().asFloat();
        byte[] px = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            float x = v[i];
            if (!(x >= -0.5f && x < 255.5f)) {
                problem[0] = "pixel values in 0..255 (DataVec's image convention), found " + x + " at element " + i;
                return null;
            }
            px[i] = (byte) Math.round(x);
        }
        return new RawImage((int) w, (int) h, (int) c, px);
    }
}
