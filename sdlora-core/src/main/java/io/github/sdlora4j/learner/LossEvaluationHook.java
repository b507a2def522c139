package io.github.sdlora4j.learner;

import org.nd4j.evaluation.IEvaluation;
import org.nd4j.evaluation.IMetric;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.Serializable;
import java.util.List;

/**
 * A do-nothing evaluation registered on the loss variable. In SameDiff 1.0.0-M2.1 a training iteration only computes
 * gradients and the outputs that train evaluations ask for; listener requests are dropped, so without this hook the
 * loss op never runs and fit reports a loss of 0. Registering it makes the loss available to listeners.
 */
final class LossEvaluationHook implements IEvaluation<LossEvaluationHook> {

    @Override
    public void eval(INDArray labels, INDArray networkPredictions) {
    }

    @Override
    public void eval(INDArray labels, INDArray networkPredictions, List<? extends Serializable> recordMetaData) {
    }

    @Override
    public void eval(INDArray labels, INDArray networkPredictions, INDArray maskArray,
                     List<? extends Serializable> recordMetaData) {
    }

    @Override
    public void eval(INDArray labels, INDArray networkPredictions, INDArray maskArray) {
    }

    @Override
    public void evalTimeSeries(INDArray labels, INDArray predicted) {
    }

    @Override
    public void evalTimeSeries(INDArray labels, INDArray predicted, INDArray labelsMaskArray) {
    }

    @Override
    public void merge(LossEvaluationHook other) {
    }

    @Override
    public void reset() {
    }

    @Override
    public String stats() {
        return "";
    }

    @Override
    public String toJson() {
        return "{}";
    }

    @Override
    public String toYaml() {
        return "";
    }

    @Override
    public double getValue(IMetric metric) {
        return Double.NaN;
    }

    @Override
    public LossEvaluationHook newInstance() {
        return new LossEvaluationHook();
    }
}
