package io.github.sdlora4j.io;

import onnx.Onnx;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.AddOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.DivOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.SubOp;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Erf;
import org.nd4j.linalg.api.shape.Shape;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Runs an ONNX graph node by node with ND4J array operations, for the operator set of a PyTorch/timm ViT export
 * (opset 11-17). It is the independent reference that {@link OnnxBackboneImporter} checks its mapped weights
 * against; it shares no code with our SameDiff ViT. samediff-import-onnx 1.0.0-M2.1 was tried for this first: it
 * fails on such graphs (initializers feeding Reshape are "not found", eager shape inference breaks the LayerNorm
 * decomposition) and its MatMul/Gemm mapping drops alpha, so it cannot serve as the reference.
 *
 * <p>Floating point tensors are computed in FLOAT, shape and index tensors in INT64.
 */
final class OnnxGraphEvaluator {

    /** Largest array a shape-creating node (ConstantOfShape, Expand) may make: a crafted shape must not allocate. */
    static final long MAX_CREATED_ELEMENTS = 1L << 28;

    private final Onnx.GraphProto graph;
    private final Function<Onnx.TensorProto, INDArray> decoder;

    OnnxGraphEvaluator(Onnx.GraphProto graph, Function<Onnx.TensorProto, INDArray> decoder) {
        this.graph = graph;
        this.decoder = decoder;
    }

    /**
     * Evaluates the graph's first output for the given graph inputs.
     *
     * @throws UnsupportedOperationException naming the first operator (or attribute) this evaluator does not cover
     */
    INDArray run(Map<String, INDArray> inputs) {
        // Graph inputs and already decoded initializers (used as given, never modified).
        Map<String, INDArray> values = new HashMap<>(inputs);
        for (Onnx.TensorProto t : graph.getInitializerList()) {
            if (!values.containsKey(t.getName())) {
                values.put(t.getName(), decoder.apply(t));
            }
        }
        for (Onnx.NodeProto n : graph.getNodeList()) {
            List<INDArray> in = new ArrayList<>();
            for (String name : n.getInputList()) {
                if (name.isEmpty()) {
                    in.add(null);
                    continue;
                }
                INDArray v = values.get(name);
                if (v == null) {
                    throw new IllegalStateException("node '" + n.getName() + "' (" + n.getOpType() + ") reads '" + name
                            + "', which no earlier node or initializer defines (nodes must be in topological order)");
                }
                in.add(v);
            }
            if (n.getOpType().equals("Split")) {
                INDArray[] parts = split(n, in);
                for (int i = 0; i < parts.length; i++) {
                    values.put(n.getOutput(i), parts[i]);
                }
            } else {
                values.put(n.getOutput(0), apply(n, in));
            }
        }
        String output = graph.getOutput(0).getName();
        return values.get(output);
    }

    private INDArray apply(Onnx.NodeProto n, List<INDArray> in) {
        switch (n.getOpType()) {
            case "Constant":
                return decoder.apply(attr(n, "value").getT());
            case "Identity":
            case "Dropout":
                return in.get(0);
            case "Cast":
                return cast(in.get(0), (int) attr(n, "to").getI());
            case "Add":
                return broadcast(in, "add");
            case "Sub":
                return broadcast(in, "sub");
            case "Mul":
                return broadcast(in, "mul");
            case "Div":
                return broadcast(in, "div");
            case "Pow":
                return pow(in.get(0), in.get(1));
            case "Sqrt":
                return Transforms.sqrt(in.get(0), true);
            case "Reciprocal":
                return Transforms.pow(in.get(0), -1, true);
            case "Neg":
                return in.get(0).neg();
            case "Exp":
                return Transforms.exp(in.get(0), true);
            case "Gelu":
                return gelu(n, in.get(0));
            case "Erf":
                return Nd4j.exec(new Erf(in.get(0).dup()));
            case "Relu":
                return Transforms.relu(in.get(0), true);
            case "Tanh":
                return Transforms.tanh(in.get(0), true);
            case "MatMul":
                return matmul(in.get(0), in.get(1));
            case "Gemm":
                return gemm(n, in);
            case "Softmax":
                return softmax(in.get(0), axis(intAttr(n, "axis", -1), in.get(0).rank()));
            case "ReduceMean":
                return reduceMean(n, in);
            case "LayerNormalization":
                return layerNorm(n, in);
            case "Reshape":
                return reshape(in.get(0), in.get(1).toLongVector());
            case "Flatten":
                return flatten(in.get(0), (int) intAttr(n, "axis", 1));
            case "Transpose":
                return transpose(n, in.get(0));
            case "Concat":
                return concat(n, in);
            case "Gather":
                return gather(in.get(0), in.get(1), axis(intAttr(n, "axis", 0), in.get(0).rank()));
            case "Slice":
                return slice(in);
            case "Shape":
                return Nd4j.createFromArray(in.get(0).shape());
            case "Unsqueeze":
                return unsqueeze(in.get(0), in.size() > 1 ? in.get(1).toLongVector() : longs(n, "axes"));
            case "Squeeze":
                return squeeze(in.get(0), in.size() > 1 ? in.get(1).toLongVector() : longs(n, "axes"));
            case "Expand":
                return in.get(0).broadcast(checkedShape(n,
                        Shape.broadcastOutputShape(in.get(0).shape(), in.get(1).toLongVector()))).dup('c');
            case "Conv":
                return conv(n, in);
            case "ConstantOfShape":
                return constantOfShape(n, in.get(0));
            case "Equal":
                return elementwise(in.get(0), in.get(1), null, (a, b, unused) -> a == b ? 1 : 0, DataType.BOOL);
            case "Where":
                return elementwise(in.get(1), in.get(2), in.get(0), (a, b, cond) -> cond != 0 ? a : b,
                        in.get(1).dataType());
            default:
                throw new UnsupportedOperationException("ONNX operator " + n.getOpType() + " (node '" + n.getName()
                        + "')");
        }
    }

    private INDArray constantOfShape(Onnx.NodeProto n, INDArray shape) {
        INDArray value = hasAttr(n, "value") ? decoder.apply(attr(n, "value").getT()) : Nd4j.scalar(0f);
        INDArray out = Nd4j.create(value.dataType(), checkedShape(n, shape.toLongVector()));
        return out.assign(value.getDouble(0));
    }

    private static long[] checkedShape(Onnx.NodeProto n, long[] shape) {
        long elements = 1;
        for (long d : shape) {
            if (d < 0 || (d > 0 && elements > MAX_CREATED_ELEMENTS / d)) {
                throw new IllegalArgumentException("node '" + n.getName() + "' (" + n.getOpType() + ") asks for shape "
                        + Arrays.toString(shape) + ", beyond the " + MAX_CREATED_ELEMENTS + " elements allowed");
            }
            elements *= d;
        }
        return shape;
    }

    /** A per-element function of up to three values. */
    @FunctionalInterface
    private interface Ternary {
        double apply(double a, double b, double c);
    }

    /**
     * Broadcasting element-wise op computed in Java: used for Equal and Where, which a ViT export applies only to
     * small shape vectors (torch's expand(-1) pattern).
     */
    private static INDArray elementwise(INDArray a, INDArray b, INDArray c, Ternary f, DataType type) {
        long[] shape = Shape.broadcastOutputShape(a.shape(), b.shape());
        if (c != null) {
            shape = Shape.broadcastOutputShape(shape, c.shape());
        }
        double[] x = a.castTo(DataType.DOUBLE).broadcast(shape).dup('c').data().asDouble();
        double[] y = b.castTo(DataType.DOUBLE).broadcast(shape).dup('c').data().asDouble();
        double[] z = c == null ? null : c.castTo(DataType.DOUBLE).broadcast(shape).dup('c').data().asDouble();
        double[] out = new double[x.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = f.apply(x[i], y[i], z == null ? 0 : z[i]);
        }
        return Nd4j.create(out, shape, 'c').castTo(type);
    }

    /** ONNX Split: sizes from the second input (opset 13+) or the split attribute, else equal parts. */
    private static INDArray[] split(Onnx.NodeProto n, List<INDArray> in) {
        INDArray x = in.get(0);
        int axis = axis(intAttr(n, "axis", 0), x.rank());
        long[] sizes = in.size() > 1 && in.get(1) != null ? in.get(1).toLongVector()
                : hasAttr(n, "split") ? longs(n, "split") : null;
        int parts = n.getOutputCount();
        if (sizes == null) {
            sizes = new long[parts];
            Arrays.fill(sizes, x.size(axis) / parts);
        }
        INDArray[] out = new INDArray[parts];
        long from = 0;
        for (int i = 0; i < parts; i++) {
            INDArrayIndex[] where = all(x.rank());
            where[axis] = NDArrayIndex.interval(from, from + sizes[i]);
            out[i] = x.get(where).dup('c');
            from += sizes[i];
        }
        return out;
    }

    /** ONNX Gelu (opset 20): exact erf form, or the tanh approximation. */
    private static INDArray gelu(Onnx.NodeProto n, INDArray x) {
        boolean tanh = hasAttr(n, "approximate") && attr(n, "approximate").getS().toStringUtf8().equals("tanh");
        INDArray inner;
        if (tanh) {
            INDArray cube = Transforms.pow(x, 3, true).muli(0.044715).addi(x).muli(Math.sqrt(2 / Math.PI));
            inner = Transforms.tanh(cube, false);
        } else {
            inner = Nd4j.exec(new Erf(x.mul(1 / Math.sqrt(2))));
        }
        return inner.addi(1).muli(x).muli(0.5);
    }

    private static Onnx.AttributeProto attr(Onnx.NodeProto n, String name) {
        for (Onnx.AttributeProto a : n.getAttributeList()) {
            if (a.getName().equals(name)) {
                return a;
            }
        }
        throw new UnsupportedOperationException("node '" + n.getName() + "' (" + n.getOpType() + ") lacks attribute "
                + name);
    }

    private static boolean hasAttr(Onnx.NodeProto n, String name) {
        return n.getAttributeList().stream().anyMatch(a -> a.getName().equals(name));
    }

    private static long intAttr(Onnx.NodeProto n, String name, long fallback) {
        return hasAttr(n, name) ? attr(n, name).getI() : fallback;
    }

    private static long[] longs(Onnx.NodeProto n, String name) {
        return attr(n, name).getIntsList().stream().mapToLong(Long::longValue).toArray();
    }

    private static int axis(long axis, int rank) {
        return (int) (axis < 0 ? axis + rank : axis);
    }

    private static INDArray cast(INDArray x, int onnxType) {
        if (onnxType == Onnx.TensorProto.DataType.INT64_VALUE || onnxType == Onnx.TensorProto.DataType.INT32_VALUE) {
            return x.castTo(DataType.INT64);
        }
        return x.castTo(DataType.FLOAT);
    }

    private static INDArray broadcast(List<INDArray> in, String op) {
        INDArray a = in.get(0);
        INDArray b = in.get(1);
        if (a.dataType() != b.dataType()) {
            a = a.castTo(DataType.FLOAT);
            b = b.castTo(DataType.FLOAT);
        }
        INDArray out = Nd4j.create(a.dataType(), Shape.broadcastOutputShape(a.shape(), b.shape()));
        switch (op) {
            case "add" -> Nd4j.exec(new AddOp(a, b, out));
            case "sub" -> Nd4j.exec(new SubOp(a, b, out));
            case "mul" -> Nd4j.exec(new MulOp(a, b, out));
            default -> Nd4j.exec(new DivOp(a, b, out));
        }
        return out;
    }

    private static INDArray pow(INDArray x, INDArray exponent) {
        if (exponent.length() != 1) {
            throw new UnsupportedOperationException("Pow with a non-scalar exponent " + Arrays.toString(exponent.shape()));
        }
        return Transforms.pow(x, exponent.getDouble(0), true);
    }

    /** numpy matmul: a rank-2 right operand multiplies the last axis; equal-rank batches multiply slice by slice. */
    private static INDArray matmul(INDArray a, INDArray b) {
        if (b.rank() == 2) {
            long[] outShape = a.shape().clone();
            outShape[outShape.length - 1] = b.size(1);
            return a.reshape('c', -1, a.size(-1)).mmul(b).reshape('c', outShape);
        }
        if (a.rank() != b.rank() || !Arrays.equals(Arrays.copyOf(a.shape(), a.rank() - 2),
                Arrays.copyOf(b.shape(), b.rank() - 2))) {
            throw new UnsupportedOperationException("MatMul of " + Arrays.toString(a.shape()) + " and "
                    + Arrays.toString(b.shape()));
        }
        long m = a.size(-2);
        long n = b.size(-1);
        INDArray a3 = a.reshape('c', -1, m, a.size(-1));
        INDArray b3 = b.reshape('c', -1, b.size(-2), n);
        INDArray out = Nd4j.create(DataType.FLOAT, a3.size(0), m, n);
        for (long i = 0; i < a3.size(0); i++) {
            out.get(NDArrayIndex.point(i), NDArrayIndex.all(), NDArrayIndex.all())
                    .assign(a3.get(NDArrayIndex.point(i), NDArrayIndex.all(), NDArrayIndex.all())
                            .mmul(b3.get(NDArrayIndex.point(i), NDArrayIndex.all(), NDArrayIndex.all())));
        }
        long[] outShape = a.shape().clone();
        outShape[outShape.length - 1] = n;
        return out.reshape('c', outShape);
    }

    private static INDArray gemm(Onnx.NodeProto n, List<INDArray> in) {
        INDArray a = intAttr(n, "transA", 0) != 0 ? in.get(0).transpose() : in.get(0);
        INDArray b = intAttr(n, "transB", 0) != 0 ? in.get(1).transpose() : in.get(1);
        double alpha = hasAttr(n, "alpha") ? attr(n, "alpha").getF() : 1.0;
        double beta = hasAttr(n, "beta") ? attr(n, "beta").getF() : 1.0;
        INDArray y = a.mmul(b).muli(alpha);
        if (in.size() > 2 && in.get(2) != null) {
            y = broadcast(List.of(y, in.get(2).mul(beta)), "add");
        }
        return y;
    }

    private static INDArray softmax(INDArray x, int axis) {
        INDArray shifted = broadcast(List.of(x, x.max(true, axis)), "sub");
        INDArray e = Transforms.exp(shifted, false);
        return broadcast(List.of(e, e.sum(true, axis)), "div");
    }

    private static INDArray reduceMean(Onnx.NodeProto n, List<INDArray> in) {
        INDArray x = in.get(0);
        long[] axes = in.size() > 1 ? in.get(1).toLongVector()
                : hasAttr(n, "axes") ? longs(n, "axes") : null;
        int[] dims = axes == null ? null : Arrays.stream(axes).mapToInt(a -> axis(a, x.rank())).toArray();
        boolean keep = intAttr(n, "keepdims", 1) != 0;
        return dims == null ? x.mean(keep) : x.mean(keep, dims);
    }

    private INDArray layerNorm(Onnx.NodeProto n, List<INDArray> in) {
        INDArray x = in.get(0);
        int first = axis(intAttr(n, "axis", -1), x.rank());
        int[] dims = java.util.stream.IntStream.range(first, x.rank()).toArray();
        double eps = hasAttr(n, "epsilon") ? attr(n, "epsilon").getF() : 1e-5;
        INDArray centered = broadcast(List.of(x, x.mean(true, dims)), "sub");
        INDArray variance = centered.mul(centered).mean(true, dims);
        INDArray y = broadcast(List.of(centered, Transforms.sqrt(variance.add(eps), false)), "div");
        y = broadcast(List.of(y, in.get(1)), "mul");
        return in.size() > 2 && in.get(2) != null ? broadcast(List.of(y, in.get(2)), "add") : y;
    }

    /** ONNX Reshape: 0 copies the input's dimension, -1 is inferred. */
    private static INDArray reshape(INDArray x, long[] shape) {
        long[] s = shape.clone();
        for (int i = 0; i < s.length; i++) {
            if (s[i] == 0) {
                s[i] = x.size(i);
            }
        }
        return x.dup('c').reshape('c', s);
    }

    private static INDArray flatten(INDArray x, int axis) {
        long outer = 1;
        for (int i = 0; i < axis; i++) {
            outer *= x.size(i);
        }
        return x.dup('c').reshape('c', outer, x.length() / outer);
    }

    private static INDArray transpose(Onnx.NodeProto n, INDArray x) {
        int[] perm = hasAttr(n, "perm") ? Arrays.stream(longs(n, "perm")).mapToInt(v -> (int) v).toArray()
                : java.util.stream.IntStream.range(0, x.rank()).map(i -> x.rank() - 1 - i).toArray();
        return x.permute(perm).dup('c');
    }

    private static INDArray concat(Onnx.NodeProto n, List<INDArray> in) {
        int axis = axis(attr(n, "axis").getI(), in.get(0).rank());
        return Nd4j.concat(axis, in.toArray(new INDArray[0]));
    }

    private static INDArray gather(INDArray x, INDArray indices, int axis) {
        long[] idx = indices.toLongVector();
        INDArray[] parts = new INDArray[idx.length];
        for (int i = 0; i < idx.length; i++) {
            long k = idx[i] < 0 ? idx[i] + x.size(axis) : idx[i];
            INDArrayIndex[] where = all(x.rank());
            where[axis] = NDArrayIndex.interval(k, k + 1);
            parts[i] = x.get(where);
        }
        INDArray stacked = parts.length == 1 ? parts[0] : Nd4j.concat(axis, parts);
        long[] shape = new long[x.rank() - 1 + indices.rank()];
        int j = 0;
        for (int d = 0; d < x.rank(); d++) {
            if (d == axis) {
                for (long s : indices.shape()) {
                    shape[j++] = s;
                }
            } else {
                shape[j++] = x.size(d);
            }
        }
        return stacked.dup('c').reshape('c', shape);
    }

    private static INDArray slice(List<INDArray> in) {
        INDArray x = in.get(0);
        long[] starts = in.get(1).toLongVector();
        long[] ends = in.get(2).toLongVector();
        long[] axes = in.size() > 3 && in.get(3) != null ? in.get(3).toLongVector()
                : java.util.stream.LongStream.range(0, starts.length).toArray();
        long[] steps = in.size() > 4 && in.get(4) != null ? in.get(4).toLongVector() : null;
        INDArrayIndex[] where = all(x.rank());
        for (int i = 0; i < axes.length; i++) {
            if (steps != null && steps[i] != 1) {
                throw new UnsupportedOperationException("Slice with step " + steps[i]);
            }
            int a = axis(axes[i], x.rank());
            long size = x.size(a);
            long from = clamp(starts[i] < 0 ? starts[i] + size : starts[i], size);
            long to = clamp(ends[i] < 0 ? ends[i] + size : ends[i], size);
            where[a] = NDArrayIndex.interval(from, Math.max(from, to));
        }
        return x.get(where).dup('c');
    }

    private static long clamp(long v, long size) {
        return Math.max(0, Math.min(size, v));
    }

    private static INDArray unsqueeze(INDArray x, long[] axes) {
        int rank = x.rank() + axes.length;
        boolean[] inserted = new boolean[rank];
        for (long a : axes) {
            inserted[axis(a, rank)] = true;
        }
        long[] shape = new long[rank];
        for (int i = 0, j = 0; i < rank; i++) {
            shape[i] = inserted[i] ? 1 : x.size(j++);
        }
        return x.dup('c').reshape('c', shape);
    }

    private static INDArray squeeze(INDArray x, long[] axes) {
        List<Long> shape = new ArrayList<>();
        for (int i = 0; i < x.rank(); i++) {
            final int d = i;
            boolean drop = axes == null || axes.length == 0 ? x.size(i) == 1
                    : Arrays.stream(axes).anyMatch(a -> axis(a, x.rank()) == d);
            if (!drop) {
                shape.add(x.size(i));
            }
        }
        return x.dup('c').reshape('c', shape.stream().mapToLong(Long::longValue).toArray());
    }

    /** Conv for a patch embedding: kernel == stride, no padding, dilation 1, one group (what a ViT uses). */
    private static INDArray conv(Onnx.NodeProto n, List<INDArray> in) {
        INDArray x = in.get(0);
        INDArray w = in.get(1);
        long[] kernel = {w.size(2), w.size(3)};
        long[] strides = hasAttr(n, "strides") ? longs(n, "strides") : new long[]{1, 1};
        boolean padded = hasAttr(n, "pads") && Arrays.stream(longs(n, "pads")).anyMatch(p -> p != 0);
        boolean dilated = hasAttr(n, "dilations") && Arrays.stream(longs(n, "dilations")).anyMatch(p -> p != 1);
        if (!Arrays.equals(kernel, strides) || padded || dilated || intAttr(n, "group", 1) != 1
                || x.size(2) % kernel[0] != 0 || x.size(3) % kernel[1] != 0) {
            throw new UnsupportedOperationException("Conv other than a non-overlapping patch embedding (node '"
                    + n.getName() + "')");
        }
        long b = x.size(0);
        long c = x.size(1);
        long gh = x.size(2) / kernel[0];
        long gw = x.size(3) / kernel[1];
        INDArray patches = x.dup('c').reshape('c', b, c, gh, kernel[0], gw, kernel[1]).permute(0, 2, 4, 1, 3, 5)
                .dup('c').reshape('c', b * gh * gw, c * kernel[0] * kernel[1]);
        INDArray y = patches.mmul(w.dup('c').reshape('c', w.size(0), c * kernel[0] * kernel[1]).transpose());
        if (in.size() > 2 && in.get(2) != null) {
            y.addiRowVector(in.get(2));
        }
        return y.reshape('c', b, gh, gw, w.size(0)).permute(0, 3, 1, 2).dup('c');
    }

    private static INDArrayIndex[] all(int rank) {
        INDArrayIndex[] where = new INDArrayIndex[rank];
        Arrays.fill(where, NDArrayIndex.all());
        return where;
    }
}
