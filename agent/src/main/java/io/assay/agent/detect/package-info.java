/**
 * The detect stage: rules (data, hashed into every report) over the evidence of a window produce
 * findings and a verdict. See the README's "How a verdict is reached" for the combination logic.
 */
package io.assay.agent.detect;
