import type { Command } from 'commander';
import { action, addBackendOptions, addDataOptions, examples, seedOption } from '../options.js';
import { integer } from '../parsers.js';
import type { CliIo } from '../terminal.js';

/** Declares `deepbelief eval`: its arguments, flags, help and (lazily loaded) implementation. */
export function defineEval(program: Command, io: CliIo): void {
  addDataOptions(
    addBackendOptions(
      program
        .command('eval')
        .description(
          'Evaluate a model on test data: classification error and confusion matrix, reconstruction error, RBM log-likelihood',
        )
        .argument('<file>', 'a model file')
        .option('--json', 'print one JSON object (testError, reconstructionError, logZ, …)')
        .option(
          '--ais',
          'RBMs: estimate log Z and the test log-likelihood by annealed importance sampling; DBNs without labels: a lower bound on it (AIS on the top RBM)',
        )
        .option('--ais-runs <n>', "AIS runs (default: @deepbelief/rbm's, 500)", integer(2))
        .option(
          '--ais-betas <n>',
          'AIS temperatures, evenly spaced (default: the 14,500 of Salakhutdinov & Murray)',
          integer(2),
        )
        .option(
          '--exact',
          'RBMs (DBNs: their top RBM) with ≤ 25 units in the smaller layer: exact log Z and test log-likelihood (DBNs: its bound)',
        )
        .option(
          '--bound-samples <n>',
          'DBNs: recognition-posterior samples per image for the likelihood bound (default 100)',
          integer(1),
        )
        .option(
          '--plot <file>',
          'semantic-hashing models: write the precision–recall curves of every method as SVG',
        )
        .addOption(seedOption('random seed of AIS (default 1)')),
    ),
    'test data (default: what the model was trained on)',
  )
    .addHelpText(
      'after',
      examples(
        'deepbelief eval dbn.safetensors --data mnist',
        'deepbelief eval classifier.safetensors --data mnist --json',
        'deepbelief eval rbm.safetensors --data mnist --ais --json',
        'deepbelief eval rbm20.safetensors --data mnist --exact --ais --ais-betas 1000',
        'deepbelief eval dbn-nolabels.safetensors --data mnist --binarize stochastic --ais',
        'deepbelief eval hashing.safetensors --json --plot precision-recall.svg',
      ) +
        '\nJSON fields: testError (fraction) and confusion for dbn/classifier files; reconstructionError\n(MSE per pixel; squared error per image for autoencoders) for rbm/autoencoder files; with --ais\nlogZ, logZStd and testLogLikelihood (nats per image); with --exact exactLogZ and the exact\ntestLogLikelihood (the AIS one is then aisTestLogLikelihood); for DBNs testLogLikelihoodBound.\nLikelihoods need binary data (--binarize) and report binarization. The test split of mnist,\nfashion-mnist, IDX directories and synthetic sets is used; a CSV/NPY file is used whole.\nSemantic-hashing models (train hashing): methods[] with precisionAtRecall for their codes, LSA,\nLSH and TF-IDF, and timing (Hamming ball against linear scans).\n',
    )
    .action(action(io, async () => (await import('./eval.js')).evalCommand));
}
