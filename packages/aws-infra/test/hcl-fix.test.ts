import { fixHclQuoting } from '../src/hcl-fix';

describe('fixHclQuoting', () => {
  it('escapes the quotes of a JSON document with references, and nothing inside ${...}', () => {
    const broken = 'policy = "{"Resource":["${aws_s3_bucket.input.arn}/*"],"Cond":"${lookup(var.m, "k")}"}"';
    expect(fixHclQuoting(broken)).toBe(
      'policy = "{\\"Resource\\":[\\"${aws_s3_bucket.input.arn}/*\\"],\\"Cond\\":\\"${lookup(var.m, "k")}\\"}"',
    );
  });

  it('leaves correct lines alone', () => {
    const lines = [
      'resource "aws_sqs_queue" "q" {',
      'assume_role_policy = "{\\"Version\\":\\"2012-10-17\\"}"',
      'name = "stereo-spot-chunking"',
      'bucket = "${aws_s3_bucket.input.id}"',
      '}',
    ].join('\n');
    expect(fixHclQuoting(lines)).toBe(lines);
  });
});
