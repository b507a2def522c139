package io.github.sdlora4j.learner;

import io.github.sdlora4j.NativeArrays;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.autodiff.samediff.array.SingleThreadArrayHolder;
import org.nd4j.autodiff.samediff.internal.InferenceSession;
import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;

/**
 * Releases what a SameDiff graph of this library made ({@link NativeArrays}): its sessions' cached work arrays and
 * its constants and variables, except those whose buffer belongs to the caller (a frozen backbone's tensors or a
 * head passed in without a copy).
 */
final class SameDiffArrays {

    private SameDiffArrays() {
    }

    /**
     * An empty graph that holds each constant once. SameDiff 1.0.0-M2.1's default holder keeps a lazy per-device
     * copy of every constant besides the array itself (for multi-device inference), so a ViT's frozen weights took
     * twice their size; this library runs a graph on one device.
     */
    static SameDiff newGraph() {
        SameDiff sd = SameDiff.create();
        sd.setConstantArrays(new SingleThreadArrayHolder());
        return sd;
    }

    /** Releases {@code sd}'s own arrays; those sharing a buffer with one of {@code callers} are kept. */
    static void closeOwned(SameDiff sd, Iterable<INDArray> callers) {
        closeOwned(sd, sd.variables().stream().map(SDVariable::name).toList(), callers);
    }

    /**
     * As above, for the constants and variables among {@code names} only (those the library defined: a user's loss
     * term may hold arrays of its own).
     */
    static void closeOwned(SameDiff sd, Collection<String> names, Iterable<INDArray> callers) {
        Set<DataBuffer> kept = Collections.newSetFromMap(new IdentityHashMap<>());
        for (INDArray a : callers) {
            kept.add(a.data());
        }
        for (InferenceSession session : sd.getSessions().values()) {
            session.getMmgr().close();
        }
        for (String name : names) {
            SDVariable v = sd.getVariable(name);
            VariableType type = v.getVariableType();
            if (type == VariableType.CONSTANT || type == VariableType.VARIABLE) {
                INDArray arr = sd.getArrForVarName(name);
                if (arr != null && !kept.contains(arr.data())) {
                    arr.close();
                }
            }
        }
    }
}
