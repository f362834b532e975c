/** Common surnames roughly by frequency (top ones repeated) and given-name characters. */
export const SURNAMES = (
  '王王王李李李张张张刘刘陈陈杨杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤'
).split('');

export const GIVEN_MALE = '伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宇浩凯健俊帆帅旭宁龙林欢阳建国志文博晨昊然东亮成峰'.split('');
export const GIVEN_FEMALE = '芳娜敏静丽艳娟霞秀玲燕萍红琳洁婷雪慧倩颖梅莉佳琪欣怡晶璐雯瑶蕾薇丹岚悦彤思雨月宁'.split('');
