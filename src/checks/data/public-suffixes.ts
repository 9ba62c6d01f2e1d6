// Multi-label public suffixes in common use (the ICANN section of the Public Suffix List, the
// part browsers consult before accepting a wildcard certificate name). A short list of our own
// instead of the ~10k-entry list: it only has to explain the usual `*.co.uk` mistake, and a
// suffix missing here is still caught by the clients; kdiag then just says less.
export const MULTI_LABEL_PUBLIC_SUFFIXES: ReadonlySet<string> = new Set(
  [
    'ac.uk co.uk gov.uk ltd.uk me.uk net.uk nhs.uk org.uk plc.uk sch.uk',
    'com.au edu.au gov.au net.au org.au id.au asn.au',
    'ac.nz co.nz geek.nz govt.nz net.nz org.nz school.nz',
    'ac.jp co.jp ed.jp go.jp gr.jp lg.jp ne.jp or.jp',
    'ac.kr co.kr go.kr ne.kr or.kr re.kr',
    'com.cn edu.cn gov.cn net.cn org.cn',
    'com.hk edu.hk gov.hk net.hk org.hk',
    'com.tw edu.tw gov.tw net.tw org.tw',
    'com.sg edu.sg gov.sg net.sg org.sg',
    'ac.in co.in edu.in gov.in net.in org.in firm.in gen.in ind.in',
    'ac.id co.id go.id or.id web.id',
    'com.my edu.my gov.my net.my org.my',
    'com.ph net.ph org.ph',
    'com.vn net.vn org.vn',
    'ac.th co.th go.th in.th or.th',
    'ac.il co.il gov.il net.il org.il',
    'com.tr edu.tr gov.tr net.tr org.tr',
    'com.sa edu.sa gov.sa net.sa org.sa',
    'com.eg edu.eg gov.eg net.eg org.eg',
    'ac.za co.za gov.za net.za org.za web.za',
    'co.ke or.ke go.ke ac.ke',
    'com.ng edu.ng gov.ng net.ng org.ng',
    'com.br edu.br gov.br net.br org.br',
    'com.ar edu.ar gob.ar net.ar org.ar',
    'com.mx edu.mx gob.mx net.mx org.mx',
    'com.co edu.co gov.co net.co org.co',
    'com.pe edu.pe gob.pe net.pe org.pe',
    'com.ua gov.ua net.ua org.ua',
    'com.pl net.pl org.pl',
    'com.es edu.es gob.es nom.es org.es',
    'com.pt edu.pt gov.pt org.pt',
    'co.at or.at ac.at gv.at',
    'com.gr edu.gr gov.gr net.gr org.gr',
  ]
    .join(' ')
    .split(' '),
);
