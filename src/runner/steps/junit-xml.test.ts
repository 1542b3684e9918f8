import { describe, expect, it } from 'vitest';
import { parseJUnitXml } from './junit-xml.js';

describe('parseJUnitXml', () => {
  it('reads suites, cases, failures with messages, errors, skips, files and times', () => {
    const result = parseJUnitXml(`<?xml version="1.0" encoding="UTF-8"?>
<!-- written by a test runner -->
<testsuites name="all">
  <testsuite name="outer" file="spec/a_spec.rb" time="3">
    <testsuite name="inner">
      <testcase classname="A" name="works" time="1.5"/>
      <testcase classname="A" name="breaks" file="spec/b_spec.rb" time="0.25">
        <failure message="expected &lt;1&gt;" type="Assertion"><![CDATA[at line 3 <raw>]]></failure>
      </testcase>
    </testsuite>
    <testcase classname='B' name='errs'><error message="boom"/></testcase>
    <testcase classname="B" name="later"><skipped message="todo"/></testcase>
  </testsuite>
</testsuites>`);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.cases).toEqual([
      {
        suite: 'inner',
        classname: 'A',
        name: 'works',
        file: 'spec/a_spec.rb',
        timeMs: 1500,
        result: 'passed',
        message: null,
      },
      {
        suite: 'inner',
        classname: 'A',
        name: 'breaks',
        file: 'spec/b_spec.rb',
        timeMs: 250,
        result: 'failed',
        message: 'expected <1>\nat line 3 <raw>',
      },
      {
        suite: 'outer',
        classname: 'B',
        name: 'errs',
        file: 'spec/a_spec.rb',
        timeMs: 0,
        result: 'error',
        message: 'boom',
      },
      {
        suite: 'outer',
        classname: 'B',
        name: 'later',
        file: 'spec/a_spec.rb',
        timeMs: 0,
        result: 'skipped',
        message: null,
      },
    ]);
  });

  it('says where malformed XML breaks instead of throwing', () => {
    expect(parseJUnitXml('<testsuite>\n<testcase name="a">\n</testsuite>')).toEqual({
      ok: false,
      error: 'line 3: </testsuite> does not close <testcase>',
    });
    expect(parseJUnitXml('<testsuite><testcase name="x"/>')).toMatchObject({ ok: false });
  });
});
